"""Every schedule rule of `PUT/PATCH /api/profile/`: the doctor's full list of upcoming ones."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from appointments.models import AppointmentBooking
from doctors.models import DoctorDetail, DoctorSchedule
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/profile/"


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def item(date, start="09:00", end="12:00", **extra):
    return {"date": date.isoformat(), "start_time": start, "end_time": end, **extra}


def existing(schedule, **changes):
    data = {
        "id": schedule.pk,
        "date": schedule.date.isoformat(),
        "start_time": f"{schedule.start_time:%H:%M}",
        "end_time": f"{schedule.end_time:%H:%M}",
    }
    data.update(changes)
    return data


def book(schedule, time, status="pending"):
    return AppointmentBooking.objects.create(
        patient=PatientFactory(),
        doctor=schedule.doctor,
        schedule=schedule,
        appointment_date=schedule.date,
        appointment_time=time,
        status=status,
        fee=Decimal("500.00"),
    )


def stored(doctor):
    return list(
        DoctorSchedule.objects.filter(doctor=doctor)
        .order_by("date", "start_time")
        .values_list("date", "start_time", "end_time")
    )


@pytest.fixture
def client(auth_client, doctor):
    return auth_client(doctor)


@pytest.fixture
def schedule(doctor):
    """Tomorrow 09:00–12:00: slots 09:00 … 11:30."""
    return ScheduleFactory(doctor=doctor)


def test_doctor_creates_a_schedule(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1))]})
    assert response.status_code == 200
    assert stored(doctor) == [(days(1), dt.time(9), dt.time(12))]
    assert response.json()["schedules"][0]["start_time"] == "09:00"


def test_times_with_seconds_are_accepted(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1), "09:00:00", "10:00:00")]})
    assert response.status_code == 200
    assert stored(doctor) == [(days(1), dt.time(9), dt.time(10))]


def test_times_off_the_minute_are_400(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1), "09:00:30", "10:00")]})
    assert response.status_code == 400
    assert not DoctorSchedule.objects.exists()


def test_past_date_is_400(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(-1))]})
    assert response.status_code == 400
    assert "date" in response.json()["schedules"]["0"]
    assert not DoctorSchedule.objects.exists()


def test_today_is_valid_even_when_its_start_has_passed(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(0), "00:00", "23:30")]})
    assert response.status_code == 200
    assert stored(doctor) == [(days(0), dt.time(0), dt.time(23, 30))]


def test_end_before_start_is_400(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1), "12:00", "09:00")]})
    assert response.status_code == 400
    assert "end_time" in response.json()["schedules"]["0"]
    assert not DoctorSchedule.objects.exists()


def test_end_equal_to_start_is_400(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1), "09:00", "09:00")]})
    assert response.status_code == 400
    assert not DoctorSchedule.objects.exists()


def test_less_than_thirty_minutes_of_room_is_400(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1), "09:00", "09:29")]})
    assert response.status_code == 400
    assert "end_time" in response.json()["schedules"]["0"]
    assert not DoctorSchedule.objects.exists()


def test_exactly_thirty_minutes_is_valid(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1), "09:00", "09:30")]})
    assert response.status_code == 200


def test_overlapping_schedules_are_400(client, doctor):
    response = client.patch(
        URL,
        {"schedules": [item(days(1), "09:00", "12:00"), item(days(1), "11:30", "13:00")]},
    )
    assert response.status_code == 400
    assert "0" not in response.json()["schedules"]
    assert "non_field_errors" in response.json()["schedules"]["1"]
    assert not DoctorSchedule.objects.exists()


def test_overlap_hidden_behind_a_shorter_schedule_is_400(client, doctor):
    response = client.patch(
        URL,
        {
            "schedules": [
                item(days(1), "09:00", "17:00"),
                item(days(1), "10:00", "11:00"),
                item(days(1), "12:00", "13:00"),
            ]
        },
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["schedules"]["2"]
    assert not DoctorSchedule.objects.exists()


def test_new_schedule_overlapping_a_kept_one_is_400(client, doctor, schedule):
    response = client.patch(
        URL, {"schedules": [existing(schedule), item(days(1), "11:00", "13:00")]}
    )
    assert response.status_code == 400
    assert stored(doctor) == [(days(1), dt.time(9), dt.time(12))]


def test_touching_schedules_are_fine(client, doctor):
    response = client.patch(
        URL,
        {"schedules": [item(days(1), "09:00", "12:00"), item(days(1), "12:00", "14:00")]},
    )
    assert response.status_code == 200
    assert len(stored(doctor)) == 2


def test_same_hours_on_different_dates_are_fine(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1)), item(days(2))]})
    assert response.status_code == 200
    assert len(stored(doctor)) == 2


def test_item_with_id_updates_that_schedule_in_place(client, doctor, schedule):
    response = client.patch(URL, {"schedules": [existing(schedule, end_time="13:00")]})
    assert response.status_code == 200
    schedule.refresh_from_db()
    assert schedule.end_time == dt.time(13)
    assert DoctorSchedule.objects.count() == 1


def test_two_schedules_can_swap_hours(client, doctor):
    first = ScheduleFactory(doctor=doctor, start_time=dt.time(9), end_time=dt.time(10))
    second = ScheduleFactory(doctor=doctor, start_time=dt.time(10), end_time=dt.time(11))
    response = client.patch(
        URL,
        {
            "schedules": [
                existing(first, start_time="10:00", end_time="11:00"),
                existing(second, start_time="09:00", end_time="10:00"),
            ]
        },
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.start_time == dt.time(10)


def test_upcoming_schedule_left_out_is_deleted(client, doctor, schedule):
    response = client.patch(URL, {"schedules": [item(days(3))]})
    assert response.status_code == 200
    assert not DoctorSchedule.objects.filter(pk=schedule.pk).exists()
    assert stored(doctor) == [(days(3), dt.time(9), dt.time(12))]


def test_empty_list_deletes_every_upcoming_schedule(client, doctor, schedule):
    response = client.patch(URL, {"schedules": []})
    assert response.status_code == 200
    assert not DoctorSchedule.objects.exists()


def test_leaving_schedules_out_of_the_body_keeps_them(client, doctor, schedule):
    response = client.patch(URL, {"full_name": "Dr. Kamal Hossain"})
    assert response.status_code == 200
    assert DoctorSchedule.objects.filter(pk=schedule.pk).exists()


def test_past_schedules_are_untouched_by_a_replace(client, doctor):
    past = ScheduleFactory(doctor=doctor, date=days(-1))
    response = client.patch(URL, {"schedules": []})
    assert response.status_code == 200
    past.refresh_from_db()
    assert (past.date, past.start_time, past.end_time) == (days(-1), dt.time(9), dt.time(12))


def test_past_schedule_id_is_400(client, doctor):
    past = ScheduleFactory(doctor=doctor, date=days(-1))
    response = client.patch(URL, {"schedules": [existing(past, date=days(2).isoformat())]})
    assert response.status_code == 400
    assert "id" in response.json()["schedules"]["0"]
    past.refresh_from_db()
    assert past.date == days(-1)


def test_unknown_schedule_id_is_400(client, doctor):
    response = client.patch(URL, {"schedules": [item(days(1), id=999999)]})
    assert response.status_code == 400
    assert "id" in response.json()["schedules"]["0"]
    assert not DoctorSchedule.objects.exists()


def test_another_doctors_schedule_id_is_400(client, doctor):
    foreign = ScheduleFactory(doctor=DoctorFactory())
    response = client.patch(URL, {"schedules": [existing(foreign, end_time="10:00")]})
    assert response.status_code == 400
    assert "id" in response.json()["schedules"]["0"]
    foreign.refresh_from_db()
    assert (foreign.doctor_id, foreign.end_time) != (doctor.pk, dt.time(10))
    assert foreign.end_time == dt.time(12)


def test_schedule_id_listed_twice_is_400(client, doctor, schedule):
    response = client.patch(
        URL,
        {
            "schedules": [
                existing(schedule),
                existing(schedule, date=days(2).isoformat()),
            ]
        },
    )
    assert response.status_code == 400
    assert "id" in response.json()["schedules"]["1"]
    assert stored(doctor) == [(days(1), dt.time(9), dt.time(12))]


def test_item_missing_a_field_is_400_even_in_a_patch(client, doctor):
    response = client.patch(URL, {"schedules": [{"date": days(1).isoformat()}]})
    assert response.status_code == 400
    assert "start_time" in response.json()["schedules"]["0"]


def test_schedules_that_are_not_a_list_are_400(client, doctor):
    response = client.patch(URL, {"schedules": "tomorrow"})
    assert response.status_code == 400


def test_schedule_with_an_active_booking_cannot_be_deleted(client, doctor, schedule):
    book(schedule, dt.time(9, 30))
    response = client.patch(URL, {"schedules": []})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["schedules"]
    assert DoctorSchedule.objects.filter(pk=schedule.pk).exists()


def test_schedule_with_a_confirmed_booking_cannot_be_deleted(client, doctor, schedule):
    book(schedule, dt.time(9, 30), status="confirmed")
    response = client.patch(URL, {"schedules": []})
    assert response.status_code == 400
    assert DoctorSchedule.objects.filter(pk=schedule.pk).exists()


def test_cancelled_bookings_do_not_block_deletion(client, doctor, schedule):
    booking = book(schedule, dt.time(9, 30), status="cancelled")
    response = client.patch(URL, {"schedules": []})
    assert response.status_code == 200
    assert not DoctorSchedule.objects.filter(pk=schedule.pk).exists()
    booking.refresh_from_db()
    assert (booking.schedule_id, booking.appointment_time) == (None, dt.time(9, 30))


def test_schedule_cannot_shrink_past_a_booked_slot(client, doctor, schedule):
    book(schedule, dt.time(11, 30))
    response = client.patch(URL, {"schedules": [existing(schedule, end_time="11:30")]})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["schedules"]["0"]
    schedule.refresh_from_db()
    assert schedule.end_time == dt.time(12)


def test_schedule_cannot_start_after_a_booked_slot(client, doctor, schedule):
    book(schedule, dt.time(9))
    response = client.patch(URL, {"schedules": [existing(schedule, start_time="09:30")]})
    assert response.status_code == 400
    schedule.refresh_from_db()
    assert schedule.start_time == dt.time(9)


def test_schedule_cannot_move_off_the_grid_of_a_booked_slot(client, doctor, schedule):
    book(schedule, dt.time(9, 30))
    response = client.patch(URL, {"schedules": [existing(schedule, start_time="09:15")]})
    assert response.status_code == 400
    schedule.refresh_from_db()
    assert schedule.start_time == dt.time(9)


def test_schedule_with_a_booking_cannot_move_to_another_date(client, doctor, schedule):
    book(schedule, dt.time(9, 30))
    response = client.patch(URL, {"schedules": [existing(schedule, date=days(2).isoformat())]})
    assert response.status_code == 400
    schedule.refresh_from_db()
    assert schedule.date == days(1)


def test_booked_schedule_can_change_while_keeping_the_booked_slot(client, doctor, schedule):
    book(schedule, dt.time(10))
    response = client.patch(
        URL, {"schedules": [existing(schedule, start_time="08:00", end_time="10:30")]}
    )
    assert response.status_code == 200
    schedule.refresh_from_db()
    assert (schedule.start_time, schedule.end_time) == (dt.time(8), dt.time(10, 30))


def test_cancelled_booking_does_not_pin_the_slot(client, doctor, schedule):
    book(schedule, dt.time(11, 30), status="cancelled")
    response = client.patch(URL, {"schedules": [existing(schedule, end_time="10:00")]})
    assert response.status_code == 200


def test_up_to_366_schedules_are_accepted(client, doctor):
    # Six a day over the horizon's 61 dates (schedules can't be created past it).
    items = [
        item(days(n % 61), f"{8 + n // 61:02d}:00", f"{8 + n // 61:02d}:30") for n in range(366)
    ]
    response = client.patch(URL, {"schedules": items})
    assert response.status_code == 200
    assert DoctorSchedule.objects.filter(doctor=doctor).count() == 366


def test_367_schedules_are_refused(client, doctor):
    items = [
        item(days(n // 2), "09:00" if n % 2 else "11:00", "10:00" if n % 2 else "12:00")
        for n in range(367)
    ]
    response = client.patch(URL, {"schedules": items})
    assert response.status_code == 400
    assert "schedules" in response.json()
    assert not DoctorSchedule.objects.exists()


def test_replace_runs_a_fixed_number_of_queries(
    auth_client, django_assert_max_num_queries, django_assert_num_queries
):
    first, second = auth_client(DoctorFactory()), auth_client(DoctorFactory())
    # 15 before generated schedules; the regeneration of the dates reads three more.
    with django_assert_max_num_queries(18) as one:
        first.patch(URL, {"schedules": [item(days(1))]})
    many = [item(days(n)) for n in range(1, 51)]
    with django_assert_num_queries(len(one.captured_queries)):
        response = second.patch(URL, {"schedules": many})
    assert response.status_code == 200


def test_one_bad_schedule_rolls_back_the_whole_update(client, doctor, schedule):
    name = doctor.full_name
    response = client.patch(
        URL,
        {
            "full_name": "Dr. Changed",
            "doctor_detail": {"specialization": "Neurology", "bio": "Changed."},
            "schedules": [
                existing(schedule, end_time="13:00"),
                item(days(2)),
                item(days(-1)),
            ],
        },
    )
    assert response.status_code == 400
    doctor.refresh_from_db()
    detail = DoctorDetail.objects.get(doctor=doctor)
    assert doctor.full_name == name
    assert (detail.specialization, detail.bio) == ("Cardiology", "Experienced physician.")
    assert stored(doctor) == [(days(1), dt.time(9), dt.time(12))]


def test_patient_sending_schedules_creates_none(auth_client, patient):
    response = auth_client(patient).patch(URL, {"schedules": [item(days(1))]})
    assert response.status_code == 200
    assert not DoctorSchedule.objects.exists()


def test_unverified_doctor_manages_schedules(auth_client):
    unverified = DoctorFactory(doctor_detail__is_verified=False)
    response = auth_client(unverified).patch(URL, {"schedules": [item(days(1))]})
    assert response.status_code == 200
    assert stored(unverified) == [(days(1), dt.time(9), dt.time(12))]


def test_a_schedule_past_the_booking_horizon_is_refused(client, settings):
    settings.BOOKING_HORIZON_DAYS = 10
    response = client.patch(URL, {"schedules": [item(days(11))]})
    assert response.status_code == 400
    assert response.json()["code"] == "beyond_horizon"
    assert response.json()["errors"][0]["field"] == "schedules.0.date"


def test_a_schedule_on_the_horizon_day_is_accepted(client, settings):
    settings.BOOKING_HORIZON_DAYS = 10
    assert client.patch(URL, {"schedules": [item(days(10))]}).status_code == 200


def test_a_schedule_past_the_horizon_sent_back_unchanged_is_accepted(client, doctor, settings):
    far = ScheduleFactory(doctor=doctor, date=days(20))
    settings.BOOKING_HORIZON_DAYS = 10
    response = client.patch(URL, {"schedules": [existing(far)]})
    assert response.status_code == 200


def test_moving_a_schedule_past_the_horizon_is_refused(client, schedule, settings):
    settings.BOOKING_HORIZON_DAYS = 10
    response = client.patch(URL, {"schedules": [existing(schedule, date=days(11).isoformat())]})
    assert response.json()["code"] == "beyond_horizon"

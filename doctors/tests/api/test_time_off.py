"""/api/profile/time-off/ and the admin's path: time off takes away the slots it covers."""

import datetime as dt

import pytest
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from appointments.models import AppointmentBooking
from appointments.tests.factories import AppointmentFactory
from doctors.models import DoctorSchedule, TimeOff
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from notifications.models import Notification
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/profile/time-off/"
HOURS = "/api/profile/working-hours/"


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def body(date_from, date_to=None, start=None, end=None, **extra):
    data = {"date_from": date_from.isoformat(), "date_to": (date_to or date_from).isoformat()}
    if start:
        data["start_time"] = start
    if end:
        data["end_time"] = end
    return {**data, **extra}


def bounds(doctor, date):
    return [
        (s.start_time.strftime("%H:%M"), s.end_time.strftime("%H:%M"))
        for s in DoctorSchedule.objects.filter(doctor=doctor, date=date).order_by("start_time")
    ]


def slot_times(client, doctor, date):
    response = client.get(
        f"/api/doctors/{doctor.pk}/slots/",
        {"date_from": date.isoformat(), "date_to": date.isoformat(), "page_size": 100},
    )
    return [s["time"] for s in response.json()["results"] if s["available"]]


@pytest.fixture
def client(auth_client, doctor):
    return auth_client(doctor)


def test_anonymous_caller_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role_fixture", ["patient", "admin_user"])
def test_non_doctors_get_403_on_the_profile_path(request, auth_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert auth_client(user).post(URL, body(days(1)), format="json").status_code == 403


def test_create_answers_201_with_the_time_off_and_no_cancellations(client):
    response = client.post(URL, body(days(1), days(2), "10:00", reason="Conference"), format="json")
    assert response.status_code == 201
    data = response.json()
    assert {k: v for k, v in data.items() if k != "id"} == {
        "date_from": days(1).isoformat(),
        "date_to": days(2).isoformat(),
        "start_time": "10:00",
        "end_time": None,
        "reason": "Conference",
        "cancelled_appointments": [],
    }


def test_list_is_paginated_and_ordered_by_date_from_then_id(client):
    for n in (5, 2, 2):
        assert client.post(URL, body(days(n)), format="json").status_code == 201
    results = client.get(URL).json()["results"]
    assert [(r["date_from"], r["id"]) for r in results] == sorted(
        (r["date_from"], r["id"]) for r in results
    )
    assert len(results) == 3


def test_the_list_shows_only_the_callers_own_time_off(client):
    TimeOff.objects.create(doctor=DoctorFactory(), date_from=days(1), date_to=days(1))
    assert client.get(URL).json()["count"] == 0


def test_time_off_trims_generated_schedules_around_it(client, doctor):
    hours = [{"weekday": d, "start_time": "09:00", "end_time": "17:00"} for d in range(7)]
    assert client.put(HOURS, hours, format="json").status_code == 200
    response = client.post(URL, body(days(1), start="12:00", end="14:00"), format="json")
    assert response.status_code == 201
    assert bounds(doctor, days(1)) == [("09:00", "12:00"), ("14:00", "17:00")]
    assert bounds(doctor, days(2)) == [("09:00", "17:00")]


def test_generation_lays_no_schedule_under_existing_time_off(client, doctor):
    assert client.post(URL, body(days(1), days(3)), format="json").status_code == 201
    hours = [{"weekday": d, "start_time": "09:00", "end_time": "12:00"} for d in range(7)]
    assert client.put(HOURS, hours, format="json").status_code == 200
    assert [bounds(doctor, days(n)) for n in (1, 2, 3)] == [[], [], []]
    assert bounds(doctor, days(4)) == [("09:00", "12:00")]


def test_time_off_splits_a_manual_schedule_keeping_its_id_for_the_first_piece(client, doctor):
    schedule = ScheduleFactory(doctor=doctor, date=days(1))  # 09:00–12:00
    response = client.post(URL, body(days(1), start="10:00", end="11:00"), format="json")
    assert response.status_code == 201
    assert bounds(doctor, days(1)) == [("09:00", "10:00"), ("11:00", "12:00")]
    schedule.refresh_from_db()
    assert (schedule.start_time, schedule.end_time) == (dt.time(9), dt.time(10))


def test_trimming_keeps_the_schedules_own_30_minute_grid(client, doctor):
    ScheduleFactory(
        doctor=doctor, date=days(1), start_time=dt.time(9, 15), end_time=dt.time(12, 15)
    )
    response = client.post(URL, body(days(1), start="10:00", end="10:15"), format="json")
    assert response.status_code == 201
    assert bounds(doctor, days(1)) == [("09:15", "09:45"), ("10:15", "12:15")]


def test_a_schedule_wholly_inside_time_off_is_deleted(client, doctor):
    ScheduleFactory(doctor=doctor, date=days(2))
    assert client.post(URL, body(days(1), days(3)), format="json").status_code == 201
    assert bounds(doctor, days(2)) == []


def test_active_appointments_inside_answer_400_time_off_conflict_with_their_ids(client, doctor):
    booked = AppointmentFactory(schedule__doctor=doctor, schedule__date=days(1))
    response = client.post(URL, body(days(1)), format="json")
    assert response.status_code == 400
    data = response.json()
    assert (data["code"], data["appointments"], data["appointments_count"]) == (
        "time_off_conflict",
        [booked.pk],
        1,
    )
    assert not TimeOff.objects.exists()


def test_appointments_outside_the_span_are_no_conflict(client, doctor):
    AppointmentFactory(schedule__doctor=doctor, schedule__date=days(1))  # 09:00
    response = client.post(URL, body(days(1), start="10:00"), format="json")
    assert response.status_code == 201


def test_listing_exactly_the_conflicts_cancels_them_as_doctor_unavailable(client, doctor):
    booked = AppointmentFactory(schedule__doctor=doctor, schedule__date=days(1))
    response = client.post(URL, body(days(1), cancel_appointments=[booked.pk]), format="json")
    assert response.status_code == 201
    assert response.json()["cancelled_appointments"] == [booked.pk]
    booked.refresh_from_db()
    assert (booked.status, booked.cancellation_reason, booked.cancelled_by_id) == (
        "cancelled",
        "doctor_unavailable",
        doctor.pk,
    )


def test_a_cancelled_conflict_notifies_its_patient(client, doctor):
    booked = AppointmentFactory(schedule__doctor=doctor, schedule__date=days(1))
    client.post(URL, body(days(1), cancel_appointments=[booked.pk]), format="json")
    assert Notification.objects.filter(
        user=booked.patient, appointment=booked, event="cancelled"
    ).exists()


def test_a_cancel_list_that_no_longer_matches_answers_400_with_the_current_set(client, doctor):
    first = AppointmentFactory(schedule__doctor=doctor, schedule__date=days(1))
    second = AppointmentFactory(schedule=first.schedule, appointment_time=dt.time(10))
    response = client.post(URL, body(days(1), cancel_appointments=[first.pk]), format="json")
    assert response.status_code == 400
    assert response.json()["appointments"] == [first.pk, second.pk]
    first.refresh_from_db()
    assert first.status == "pending"


def test_a_booked_schedule_keeps_its_bounds_but_its_slots_inside_are_not_offered(
    client, doctor, api_client
):
    booked = AppointmentFactory(schedule__doctor=doctor, schedule__date=days(1))  # 09:00–12:00
    assert client.post(URL, body(days(1), start="10:00", end="11:00"), format="json").status_code
    schedule = DoctorSchedule.objects.get(pk=booked.schedule_id)
    assert (schedule.start_time, schedule.end_time) == (dt.time(9), dt.time(12))
    assert slot_times(api_client, doctor, days(1)) == ["09:30", "11:00", "11:30"]


def test_booking_a_slot_under_time_off_is_refused_as_not_a_slot(client, doctor, auth_client):
    booked = AppointmentFactory(schedule__doctor=doctor, schedule__date=days(1))
    client.post(URL, body(days(1), start="10:00", end="11:00"), format="json")
    response = auth_client(PatientFactory()).post(
        "/api/appointments/book/",
        {"doctor": doctor.pk, "schedule": booked.schedule_id, "appointment_time": "10:30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_slot"


def test_a_doctor_whose_only_free_slots_are_under_time_off_is_not_available(
    client, doctor, api_client
):
    AppointmentFactory(
        schedule__doctor=doctor, schedule__date=days(1), schedule__end_time=dt.time(10)
    )
    client.post(URL, body(days(1), start="09:30"), format="json")
    response = api_client.get("/api/doctors/", {"available": "true"})
    assert doctor.pk not in [d["id"] for d in response.json()["results"]]


def test_time_off_ending_before_now_answers_400(client):
    response = client.post(URL, body(days(-2), days(-1)), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "time_off_ended"


def test_date_to_before_date_from_answers_400(client):
    response = client.post(URL, body(days(3), days(1)), format="json")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "date_to")


def test_a_one_day_span_ending_before_it_starts_answers_400(client):
    response = client.post(URL, body(days(1), start="12:00", end="11:00"), format="json")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "end_time")


def test_an_out_of_range_date_answers_400(client):
    response = client.post(URL, {"date_from": "9999-12-31", "date_to": "9999-12-31"}, format="json")
    assert response.status_code == 400


def test_deleting_time_off_regenerates_the_dates_it_covered(client, doctor):
    hours = [{"weekday": d, "start_time": "09:00", "end_time": "12:00"} for d in range(7)]
    client.put(HOURS, hours, format="json")
    time_off = client.post(URL, body(days(1), days(2)), format="json").json()
    assert bounds(doctor, days(1)) == []
    assert client.delete(f"{URL}{time_off['id']}/").status_code == 204
    assert bounds(doctor, days(1)) == bounds(doctor, days(2)) == [("09:00", "12:00")]


def test_another_doctors_time_off_is_404(client):
    other = TimeOff.objects.create(doctor=DoctorFactory(), date_from=days(1), date_to=days(1))
    assert client.delete(f"{URL}{other.pk}/").status_code == 404
    assert TimeOff.objects.filter(pk=other.pk).exists()


def test_create_and_delete_are_audited(client, doctor):
    time_off = client.post(URL, body(days(1)), format="json").json()
    client.delete(f"{URL}{time_off['id']}/")
    actions = list(AuditLogEntry.objects.filter(actor=doctor).values_list("action", flat=True))
    assert "time_off_created" in actions
    assert "time_off_deleted" in actions


def test_an_admin_records_and_deletes_a_doctors_time_off(auth_client, admin_user):
    doctor = DoctorFactory()
    admin = auth_client(admin_user)
    url = f"/api/admin-panel/doctors/{doctor.pk}/time-off/"
    created = admin.post(url, body(days(1)), format="json")
    assert created.status_code == 201
    assert admin.get(url).json()["count"] == 1
    assert admin.delete(f"{url}{created.json()['id']}/").status_code == 204
    assert not TimeOff.objects.filter(doctor=doctor).exists()


def test_the_admin_cancelling_conflicts_is_recorded_as_cancelled_by_the_admin(
    auth_client, admin_user
):
    booked = AppointmentFactory()
    url = f"/api/admin-panel/doctors/{booked.doctor_id}/time-off/"
    response = auth_client(admin_user).post(
        url, body(days(1), cancel_appointments=[booked.pk]), format="json"
    )
    assert response.status_code == 201
    assert AppointmentBooking.objects.get(pk=booked.pk).cancelled_by_id == admin_user.pk


def test_the_admin_path_of_a_non_doctor_is_404(auth_client, admin_user, patient):
    url = f"/api/admin-panel/doctors/{patient.pk}/time-off/"
    assert auth_client(admin_user).get(url).status_code == 404


def test_a_doctor_gets_403_on_the_admin_path(client, doctor):
    assert client.get(f"/api/admin-panel/doctors/{doctor.pk}/time-off/").status_code == 403


def _next_dst_start(after: dt.date) -> dt.date:
    """The last Sunday of March after `after` (the UK's clocks go forward at 01:00)."""
    year = after.year if after < dt.date(after.year, 3, 25) else after.year + 1
    day = dt.date(year, 3, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def test_time_off_across_a_dst_change_trims_on_each_days_wall_clock(client, doctor, settings):
    settings.TIME_ZONE = "Europe/London"
    settings.BOOKING_HORIZON_DAYS = 400
    sunday = _next_dst_start(timezone.localdate())
    saturday = sunday - dt.timedelta(days=1)
    ScheduleFactory(doctor=doctor, date=saturday, start_time=dt.time(20), end_time=dt.time(23, 30))
    ScheduleFactory(doctor=doctor, date=sunday, start_time=dt.time(0), end_time=dt.time(5))
    response = client.post(URL, body(saturday, sunday, "22:00", "03:00"), format="json")
    assert response.status_code == 201
    assert bounds(doctor, saturday) == [("20:00", "22:00")]
    assert bounds(doctor, sunday) == [("03:00", "05:00")]
    slots = client.get(
        f"/api/doctors/{doctor.pk}/slots/",
        {"date_from": sunday.isoformat(), "date_to": sunday.isoformat()},
    ).json()["results"]
    # After the change: British Summer Time.
    assert slots[0]["starts_at"] == f"{sunday.isoformat()}T03:00:00+01:00"

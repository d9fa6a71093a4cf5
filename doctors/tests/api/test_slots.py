import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.models import ClinicClosure, TimeOff, WorkingHours
from doctors.tests.factories import DoctorFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


def url(user_id):
    return f"/api/doctors/{user_id}/slots/"


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def times(response):
    return [(row["date"], row["time"]) for row in response.json()["results"]]


def test_slots_cover_the_schedule_grid(api_client):
    schedule = ScheduleFactory(end_time=dt.time(10, 15))
    response = api_client.get(url(schedule.doctor_id))
    assert response.status_code == 200
    day = days(1).isoformat()
    assert response.json()["results"] == [
        {
            "schedule": schedule.pk,
            "date": day,
            "time": "09:00",
            "starts_at": f"{day}T09:00:00+06:00",
            "ends_at": f"{day}T09:30:00+06:00",
            "available": True,
        },
        {
            "schedule": schedule.pk,
            "date": day,
            "time": "09:30",
            "starts_at": f"{day}T09:30:00+06:00",
            "ends_at": f"{day}T10:00:00+06:00",
            "available": True,
        },
    ]


def test_a_taken_slot_is_listed_unavailable(api_client):
    booking = AppointmentFactory(appointment_time=dt.time(9, 30))
    rows = api_client.get(url(booking.doctor_id)).json()["results"]
    assert [r["available"] for r in rows[:3]] == [True, False, True]


def test_a_cancelled_booking_leaves_its_slot_available(api_client):
    booking = AppointmentFactory(status="cancelled")
    rows = api_client.get(url(booking.doctor_id)).json()["results"]
    assert rows[0]["available"] is True


@pytest.mark.parametrize("status", ["completed", "no_show"])
def test_finished_bookings_leave_their_slot_available(api_client, status):
    booking = AppointmentFactory(status=status)
    rows = api_client.get(url(booking.doctor_id)).json()["results"]
    assert rows[0]["available"] is True


def test_slots_that_started_are_left_out(api_client, monkeypatch):
    freeze_local_time(monkeypatch, 10, 0)
    schedule = ScheduleFactory(date=days(0), start_time=dt.time(9), end_time=dt.time(11))
    response = api_client.get(url(schedule.doctor_id))
    assert [row["time"] for row in response.json()["results"]] == ["10:30"]


def test_slots_are_ordered_by_date_and_time_across_schedules(api_client):
    doctor = DoctorFactory()
    ScheduleFactory(doctor=doctor, date=days(2), start_time=dt.time(8), end_time=dt.time(8, 30))
    ScheduleFactory(doctor=doctor, date=days(1), start_time=dt.time(14), end_time=dt.time(14, 30))
    ScheduleFactory(doctor=doctor, date=days(1), start_time=dt.time(8), end_time=dt.time(8, 30))
    assert times(api_client.get(url(doctor.pk))) == [
        (days(1).isoformat(), "08:00"),
        (days(1).isoformat(), "14:00"),
        (days(2).isoformat(), "08:00"),
    ]


def test_default_range_is_today_to_seven_days_ahead(api_client):
    doctor = DoctorFactory()
    ScheduleFactory(doctor=doctor, date=days(7), end_time=dt.time(9, 30))
    ScheduleFactory(doctor=doctor, date=days(8), end_time=dt.time(9, 30))
    assert times(api_client.get(url(doctor.pk))) == [(days(7).isoformat(), "09:00")]


def test_range_filter_is_inclusive(api_client):
    doctor = DoctorFactory()
    for n in (1, 2, 3):
        ScheduleFactory(doctor=doctor, date=days(n), end_time=dt.time(9, 30))
    params = {"date_from": days(2).isoformat(), "date_to": days(3).isoformat()}
    assert [d for d, _ in times(api_client.get(url(doctor.pk), params))] == [
        days(2).isoformat(),
        days(3).isoformat(),
    ]


def test_date_to_before_date_from_is_400(api_client, doctor):
    params = {"date_from": days(3).isoformat(), "date_to": days(1).isoformat()}
    response = api_client.get(url(doctor.pk), params)
    assert response.status_code == 400
    assert "date_to" in response.json()


def test_a_31_day_range_is_accepted(api_client, doctor):
    params = {"date_from": days(0).isoformat(), "date_to": days(30).isoformat()}
    assert api_client.get(url(doctor.pk), params).status_code == 200


def test_a_32_day_range_is_400(api_client, doctor):
    params = {"date_from": days(0).isoformat(), "date_to": days(31).isoformat()}
    assert api_client.get(url(doctor.pk), params).status_code == 400


def test_malformed_date_is_400(api_client, doctor):
    response = api_client.get(url(doctor.pk), {"date_from": "2026-02-30"})
    assert response.status_code == 400
    assert "date_from" in response.json()


def test_unverified_doctor_slots_are_404(api_client):
    schedule = ScheduleFactory(doctor__doctor_detail__is_verified=False)
    assert api_client.get(url(schedule.doctor_id)).status_code == 404


def test_inactive_doctor_slots_are_404(api_client):
    schedule = ScheduleFactory(doctor__is_active=False)
    assert api_client.get(url(schedule.doctor_id)).status_code == 404


def test_slots_are_paginated(api_client):
    schedule = ScheduleFactory(start_time=dt.time(0), end_time=dt.time(23, 30))
    response = api_client.get(url(schedule.doctor_id), {"page_size": 10, "page": 2})
    data = response.json()
    assert (data["count"], len(data["results"]), data["results"][0]["time"]) == (47, 10, "05:00")


def count_queries(client, doctor_id):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url(doctor_id), {"page_size": 100})
    assert response.status_code == 200
    return len(context.captured_queries), response.json()["count"]


def test_slots_cost_the_same_queries_for_1_and_50_rows(api_client):
    one = ScheduleFactory(end_time=dt.time(9, 30))
    AppointmentFactory(schedule=one)
    doctor = DoctorFactory()
    for n in (1, 2):
        ScheduleFactory(
            doctor=doctor, date=days(n), start_time=dt.time(0), end_time=dt.time(12, 30)
        )
    AppointmentFactory(
        schedule__doctor=doctor, schedule__date=days(3), schedule__end_time=dt.time(9, 30)
    )
    few, many = count_queries(api_client, one.doctor_id), count_queries(api_client, doctor.pk)
    assert (few[1], many[1]) == (1, 51)
    # One query: the public doctor's schedules in range (the public test inside), each joined
    # with the slot times its active bookings hold, and in the same UNION ALL what time off,
    # closures and weekly hours take away (doctors/availability.py's own SQL).
    assert few[0] == many[0] == 1


def test_a_public_doctor_without_schedules_has_an_empty_first_page(api_client):
    doctor = DoctorFactory()
    response = api_client.get(url(doctor.pk))
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize("pk", [987654, 2**63 - 1, 2**64])
def test_an_unknown_doctor_is_404(api_client, pk):
    assert api_client.get(url(pk)).status_code == 404


def test_an_unknown_doctor_with_a_malformed_range_is_404_first(api_client):
    assert api_client.get(url(987654), {"date_from": "soon"}).status_code == 404


def test_an_unverified_doctor_with_a_malformed_range_is_404_first(api_client):
    schedule = ScheduleFactory(doctor__doctor_detail__is_verified=False)
    assert api_client.get(url(schedule.doctor_id), {"date_to": "x"}).status_code == 404


def test_the_rules_read_with_the_schedules_are_never_taken_for_schedules(api_client):
    # The rules' rows (time off, closures, weekly hours: kinds -2..6) come back in the
    # schedules' query; none may be listed as a schedule's slots, whatever the ids.
    doctor = DoctorFactory()
    schedule = ScheduleFactory(
        doctor=doctor, date=days(2), start_time=dt.time(9), end_time=dt.time(11)
    )
    for weekday in range(7):
        WorkingHours.objects.create(
            doctor=doctor, weekday=weekday, start_time=dt.time(8), end_time=dt.time(12)
        )
    TimeOff.objects.create(
        doctor=doctor,
        date_from=days(2),
        date_to=days(2),
        start_time=dt.time(10),
        end_time=dt.time(10, 30),
    )
    ClinicClosure.objects.create(date=days(4), reason="Holiday")
    rows = api_client.get(url(doctor.pk)).json()["results"]
    assert [(row["schedule"], row["date"], row["time"]) for row in rows] == [
        (schedule.pk, days(2).isoformat(), "09:00"),
        (schedule.pk, days(2).isoformat(), "09:30"),
        (schedule.pk, days(2).isoformat(), "10:30"),
    ]


def test_a_hidden_doctor_with_time_off_and_hours_is_404(api_client):
    # The rules' rows come back even when the public test leaves no schedule: still a 404.
    doctor = DoctorFactory(is_active=False)
    ScheduleFactory(doctor=doctor, date=days(1))
    WorkingHours.objects.create(
        doctor=doctor, weekday=days(1).weekday(), start_time=dt.time(8), end_time=dt.time(12)
    )
    TimeOff.objects.create(doctor=doctor, date_from=days(1), date_to=days(1))
    assert api_client.get(url(doctor.pk)).status_code == 404

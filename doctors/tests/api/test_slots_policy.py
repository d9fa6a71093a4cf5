"""Slots under the booking policy: the minimum notice, the horizon, `available` and instants."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.tests.clock import freeze_at, freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db


def url(doctor_id):
    return f"/api/doctors/{doctor_id}/slots/"


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def times(response):
    return [row["time"] for row in response.json()["results"]]


def test_visitors_are_not_shown_slots_within_the_minimum_notice(api_client, settings, monkeypatch):
    settings.BOOKING_MIN_NOTICE_MINUTES = 90
    freeze_local_time(monkeypatch, 8, 0)
    schedule = ScheduleFactory(date=days(0))
    assert times(api_client.get(url(schedule.doctor_id))) == ["10:00", "10:30", "11:00", "11:30"]


def test_patients_are_not_shown_slots_within_the_minimum_notice(
    auth_client, patient, settings, monkeypatch
):
    settings.BOOKING_MIN_NOTICE_MINUTES = 90
    freeze_local_time(monkeypatch, 8, 0)
    schedule = ScheduleFactory(date=days(0))
    assert times(auth_client(patient).get(url(schedule.doctor_id)))[0] == "10:00"


def test_doctors_are_shown_every_future_slot_despite_the_minimum_notice(
    auth_client, doctor, settings, monkeypatch
):
    settings.BOOKING_MIN_NOTICE_MINUTES = 90
    freeze_local_time(monkeypatch, 8, 0)
    schedule = ScheduleFactory(date=days(0))
    assert times(auth_client(doctor).get(url(schedule.doctor_id)))[0] == "09:00"


def test_slots_past_the_horizon_are_not_listed(api_client, settings):
    settings.BOOKING_HORIZON_DAYS = 3
    last = ScheduleFactory(date=days(3))
    ScheduleFactory(doctor=last.doctor, date=days(4))
    response = api_client.get(
        url(last.doctor_id), {"date_from": days(0).isoformat(), "date_to": days(7).isoformat()}
    )
    assert response.status_code == 200
    assert {row["date"] for row in response.json()["results"]} == {days(3).isoformat()}


def test_a_range_entirely_past_the_horizon_lists_nothing(api_client, settings):
    settings.BOOKING_HORIZON_DAYS = 3
    schedule = ScheduleFactory(date=days(5))
    response = api_client.get(url(schedule.doctor_id), {"date_from": days(5).isoformat()})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_available_true_lists_only_free_slots(api_client):
    booking = AppointmentFactory(appointment_time=dt.time(9, 30))
    response = api_client.get(url(booking.doctor_id), {"available": "true"})
    assert times(response) == ["09:00", "10:00", "10:30", "11:00", "11:30"]


def test_available_false_lists_only_taken_slots(api_client):
    booking = AppointmentFactory(appointment_time=dt.time(9, 30))
    response = api_client.get(url(booking.doctor_id), {"available": "false"})
    assert times(response) == ["09:30"]


def test_a_malformed_available_filter_is_a_400(api_client):
    schedule = ScheduleFactory()
    response = api_client.get(url(schedule.doctor_id), {"available": "maybe"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "available"


def test_slots_take_the_offset_of_their_own_day_across_a_dst_change(
    api_client, settings, monkeypatch
):
    settings.TIME_ZONE = "Europe/London"
    freeze_at(monkeypatch, dt.date(2027, 3, 24), 8)
    before = ScheduleFactory(
        date=dt.date(2027, 3, 27), start_time=dt.time(9), end_time=dt.time(9, 30)
    )
    ScheduleFactory(
        doctor=before.doctor,
        date=dt.date(2027, 3, 29),
        start_time=dt.time(9),
        end_time=dt.time(9, 30),
    )
    rows = api_client.get(url(before.doctor_id)).json()["results"]
    assert [(row["starts_at"], row["ends_at"]) for row in rows] == [
        ("2027-03-27T09:00:00+00:00", "2027-03-27T09:30:00+00:00"),
        ("2027-03-29T09:00:00+01:00", "2027-03-29T09:30:00+01:00"),
    ]


def test_a_slot_across_the_dst_jump_ends_thirty_wall_clock_minutes_later(
    api_client, settings, monkeypatch
):
    settings.TIME_ZONE = "Europe/London"
    freeze_at(monkeypatch, dt.date(2027, 3, 24), 8)
    # 00:30–01:00 GMT, then the clocks jump from 01:00 to 02:00 BST: the end is that instant.
    schedule = ScheduleFactory(
        date=dt.date(2027, 3, 28), start_time=dt.time(0, 30), end_time=dt.time(1, 0)
    )
    (row,) = api_client.get(url(schedule.doctor_id)).json()["results"]
    assert (row["starts_at"], row["ends_at"]) == (
        "2027-03-28T00:30:00+00:00",
        "2027-03-28T02:00:00+01:00",
    )

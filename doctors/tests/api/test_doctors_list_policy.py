"""The doctors list's `available=true`: a free slot a patient can book now (notice, horizon)."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.tests.clock import freeze_local_time
from doctors.tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db

URL = "/api/doctors/"


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_a_doctor_whose_free_slots_are_all_within_the_notice_is_not_available(
    api_client, settings, monkeypatch
):
    settings.BOOKING_MIN_NOTICE_MINUTES = 120
    freeze_local_time(monkeypatch, 8, 0)
    schedule = ScheduleFactory(
        date=timezone.localdate(), start_time=dt.time(9), end_time=dt.time(10)
    )
    assert ids(api_client.get(URL, {"available": "true"})) == []
    assert ids(api_client.get(URL, {"available": "false"})) == [schedule.doctor_id]


def test_a_doctor_with_a_free_slot_after_the_notice_is_available(api_client, settings, monkeypatch):
    settings.BOOKING_MIN_NOTICE_MINUTES = 60
    freeze_local_time(monkeypatch, 8, 0)
    schedule = ScheduleFactory(
        date=timezone.localdate(), start_time=dt.time(9), end_time=dt.time(10)
    )
    assert ids(api_client.get(URL, {"available": "true"})) == [schedule.doctor_id]


def test_a_doctor_whose_free_slots_all_lie_past_the_horizon_is_not_available(api_client, settings):
    settings.BOOKING_HORIZON_DAYS = 5
    schedule = ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=6))
    assert ids(api_client.get(URL, {"available": "true"})) == []
    assert ids(api_client.get(URL, {"available": "false"})) == [schedule.doctor_id]


def test_a_doctor_with_a_free_slot_on_the_horizon_day_is_available(api_client, settings):
    settings.BOOKING_HORIZON_DAYS = 5
    schedule = ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=5))
    assert ids(api_client.get(URL, {"available": "true"})) == [schedule.doctor_id]

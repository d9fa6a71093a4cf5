"""GET /api/clinic/: the clinic's zone, slot length, currency and booking policy, for anyone."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/clinic/"


def test_anyone_reads_the_clinic_with_its_defaults(api_client):
    response = api_client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "name": "Clinic",
        "time_zone": "Asia/Dhaka",
        "slot_minutes": 30,
        "currency": "BDT",
        "booking": {"min_notice_minutes": 0, "horizon_days": 60, "cancel_cutoff_minutes": 0},
    }


def test_the_clinic_shows_the_configured_settings(api_client, settings):
    settings.CLINIC_NAME = "Green Life"
    settings.CURRENCY = "USD"
    settings.TIME_ZONE = "Europe/London"
    settings.BOOKING_MIN_NOTICE_MINUTES = 120
    settings.BOOKING_HORIZON_DAYS = 14
    settings.CANCEL_CUTOFF_MINUTES = 1440
    body = api_client.get(URL).json()
    assert (body["name"], body["currency"], body["time_zone"]) == (
        "Green Life",
        "USD",
        "Europe/London",
    )
    assert body["booking"] == {
        "min_notice_minutes": 120,
        "horizon_days": 14,
        "cancel_cutoff_minutes": 1440,
    }

"""Dates outside what the service handles (year 9999, year 1) or not `YYYY-MM-DD` are a 400.

`GET /api/doctors/{id}/slots/?date_from=9999-12-25` was a 500 (OverflowError adding a week),
and schedules dated 9999-12-31 were stored. Every date parameter and body date is bounded.
"""

import pytest

from doctors.models import DoctorSchedule
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.api.dates import DATE_MAX, parse_date_param

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = ["9999-12-25", "9999-12-31", "0001-01-01", "3000-01-01", "1899-12-31"]
MALFORMED = ["12/25/2026", "20261225", "2026-W52-5", "٢٠٢٦-١٢-٢٥", "2026-12-25 ", "2026-2-5"]
LIST_PATHS = [
    "/api/profile/appointments/",
    "/api/admin-panel/appointments/",
    "/api/admin-panel/audit-log/",
    "/api/admin-panel/reports/",
]


@pytest.fixture
def admin(auth_client, admin_user):
    return auth_client(admin_user)


@pytest.fixture
def public_doctor():
    return ScheduleFactory().doctor


@pytest.mark.parametrize("value", OUT_OF_RANGE + MALFORMED)
@pytest.mark.parametrize("param", ["date_from", "date_to"])
def test_slots_refuse_a_date_out_of_range_or_malformed(api_client, public_doctor, param, value):
    response = api_client.get(f"/api/doctors/{public_doctor.pk}/slots/", {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_slots_still_take_a_date_in_range(api_client, public_doctor):
    response = api_client.get(
        f"/api/doctors/{public_doctor.pk}/slots/", {"date_from": "2999-12-01"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("value", OUT_OF_RANGE + MALFORMED)
@pytest.mark.parametrize("path", LIST_PATHS)
def test_lists_and_reports_refuse_a_date_out_of_range_or_malformed(admin, path, value):
    response = admin.get(path, {"date_from": value})
    assert response.status_code == 400
    assert "date_from" in response.json()


@pytest.mark.parametrize("path", LIST_PATHS)
def test_lists_and_reports_still_take_dates_in_range(admin, path):
    response = admin.get(path, {"date_from": "1900-01-01", "date_to": "2999-12-31"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["9999-12-31", "3000-01-01", "٢٠٢٦-١٢-٢٥"])
def test_a_schedule_dated_out_of_range_is_refused_and_not_stored(auth_client, value):
    doctor = DoctorFactory()
    body = {"schedules": [{"date": value, "start_time": "09:00", "end_time": "12:00"}]}
    response = auth_client(doctor).patch("/api/profile/", body)
    assert response.status_code == 400
    assert "schedules" in response.json()
    assert not DoctorSchedule.objects.filter(doctor=doctor).exists()


def test_the_last_date_the_service_handles_leaves_room_for_its_arithmetic():
    # The slot range adds up to 31 days to a date, and local times add the zone's offset.
    assert parse_date_param(DATE_MAX.isoformat()) == DATE_MAX
    assert DATE_MAX.toordinal() + 366 < DATE_MAX.max.toordinal()

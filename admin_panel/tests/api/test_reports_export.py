"""GET /api/admin-panel/reports/export/: the report's per-doctor rows as CSV, its own operation."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from admin_panel.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/reports/export/"
REPORT_URL = "/api/admin-panel/reports/"
HEADER = ["doctor_id", "doctor_name", "total_appointments", "completed_appointments", "revenue"]


def day(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


@pytest.fixture
def bookings():
    alpha = DoctorFactory(full_name="Alpha Doctor")
    beta = DoctorFactory(full_name="Beta Doctor")
    AppointmentFactory(doctor=alpha, schedule__date=day(2), status="completed", fee=Decimal(400))
    AppointmentFactory(doctor=beta, schedule__date=day(3), fee=Decimal(300))
    AppointmentFactory(doctor=beta, schedule__date=day(9), status="completed", fee=Decimal(300))
    return {"alpha": alpha, "beta": beta}


def test_anonymous_caller_gets_a_json_401(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("role_fixture", ["patient", "doctor"])
def test_non_admins_get_a_json_403(request, auth_client, role_fixture):
    response = auth_client(request.getfixturevalue(role_fixture)).get(URL)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")


def test_the_export_is_csv_with_its_content_type(auth_client, admin_user, bookings):
    response = auth_client(admin_user).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_export_is_csv_whatever_the_accept_header_asks(auth_client, admin_user):
    response = auth_client(admin_user).get(URL, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_export_has_the_per_doctor_rows_of_the_range(auth_client, admin_user, bookings):
    params = {"date_from": day(2).isoformat(), "date_to": day(3).isoformat()}
    response = auth_client(admin_user).get(URL, params)
    assert rows(response) == [
        HEADER,
        [str(bookings["alpha"].pk), "Alpha Doctor", "1", "1", "400.00"],
        [str(bookings["beta"].pk), "Beta Doctor", "1", "0", "0.00"],
    ]


def test_the_export_equals_the_reports_format_csv(auth_client, admin_user, bookings):
    client = auth_client(admin_user)
    params = {"date_from": day(2).isoformat(), "date_to": day(9).isoformat()}
    export = client.get(URL, params)
    legacy = client.get(REPORT_URL, {**params, "format": "csv"})
    assert export.content == legacy.content


def test_an_empty_export_is_the_header_alone(auth_client, admin_user):
    assert rows(auth_client(admin_user).get(URL)) == [HEADER]


@pytest.mark.parametrize(
    "params", [{"date_from": "2026-02-30"}, {"date_from": "2026-05-02", "date_to": "2026-05-01"}]
)
def test_bad_dates_are_a_json_400(auth_client, admin_user, params):
    response = auth_client(admin_user).get(URL, params)
    assert response.status_code == 400
    assert "date_from" in response.json() or "date_to" in response.json()


def test_the_export_is_recorded_as_a_patient_record_read(auth_client, admin_user):
    auth_client(admin_user).get(URL)
    entry = AuditLogEntry.objects.get(action="patient_record_read")
    assert entry.details["endpoint"] == "admin-panel/reports"


def test_the_export_neutralises_a_formula_in_a_doctors_name(auth_client, admin_user):
    AppointmentFactory(doctor=DoctorFactory(full_name="=HYPERLINK(1)"))
    assert rows(auth_client(admin_user).get(URL))[1][1] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("bookings_count", [1, 20])
def test_the_export_runs_a_fixed_number_of_queries(
    auth_client, admin_user, django_assert_num_queries, bookings_count
):
    AppointmentFactory.create_batch(bookings_count)
    client = auth_client(admin_user)
    # Admin, audit row, per-doctor rows.
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200

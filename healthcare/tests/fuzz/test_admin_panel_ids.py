"""Fuzz findings F1–F3: ids out of the database's range are a 4xx on the admin panel, never a 500.

schemathesis found 500s (OverflowError on SQLite, "bigint out of range" on PostgreSQL) for a
numeric filter value far beyond 2**63 and for a huge id in the path of an audited endpoint.
"""

import pytest

from healthcare.tests.fuzz.conformance import assert_conforms
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

BEYOND_BIGINT = "26220875289854836696154112"


@pytest.fixture
def admin_client(auth_client, admin_user):
    client = auth_client(admin_user)
    client.raise_request_exception = False
    return client


def test_admin_appointment_list_refuses_a_patient_filter_beyond_the_id_range(admin_client):
    response = admin_client.get(
        "/api/admin-panel/appointments/", {"patient": "-1.7976931348623157e+308"}
    )

    assert response.status_code == 400
    assert "patient" in response.json()
    assert_conforms(response, "GET", "/api/admin-panel/appointments/")


def test_admin_appointment_list_refuses_a_doctor_filter_beyond_the_id_range(admin_client):
    response = admin_client.get("/api/admin-panel/appointments/", {"doctor": BEYOND_BIGINT})

    assert response.status_code == 400
    assert "doctor" in response.json()


def test_audit_log_refuses_an_actor_filter_beyond_the_id_range(admin_client):
    response = admin_client.get(
        "/api/admin-panel/audit-log/", {"actor": "-1.7976931348623157e+308"}
    )

    assert response.status_code == 400
    assert "actor" in response.json()
    assert_conforms(response, "GET", "/api/admin-panel/audit-log/")


def test_admin_deleting_a_patient_id_beyond_the_id_range_is_404(admin_client):
    PatientFactory()

    response = admin_client.delete(f"/api/admin-panel/patients/{BEYOND_BIGINT}/")

    assert response.status_code == 404
    assert_conforms(response, "DELETE", "/api/admin-panel/patients/{id}/")

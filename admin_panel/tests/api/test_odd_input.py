"""Odd input to the admin-panel endpoints is a clear 4xx, never a 500."""

import pytest

from admin_panel.models import AuditLogEntry

pytestmark = pytest.mark.django_db

HUGE = "9" * 30


@pytest.mark.parametrize(
    "path",
    [
        f"/api/admin-panel/patients/{HUGE}/",
        f"/api/admin-panel/doctors/{HUGE}/",
        f"/api/admin-panel/appointments/{HUGE}/",
        f"/api/admin-panel/audit-log/{HUGE}/",
        "/api/admin-panel/patients/abc/",
    ],
)
def test_an_id_out_of_any_range_is_a_404(auth_client, admin_user, path):
    response = auth_client(admin_user).get(path)
    assert response.status_code == 404


def test_an_out_of_range_id_is_audited_without_an_object_id(auth_client, admin_user):
    auth_client(admin_user).get(f"/api/admin-panel/patients/{HUGE}/")
    assert AuditLogEntry.objects.get(action="patient_record_read").object_id is None


@pytest.mark.parametrize("value", [HUGE, "1e400", "1.5", "-1"])
@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/api/admin-panel/appointments/", "doctor"),
        ("/api/admin-panel/appointments/", "patient"),
        ("/api/admin-panel/audit-log/", "actor"),
    ],
)
def test_an_id_filter_that_is_no_id_is_a_400(auth_client, admin_user, path, param, value):
    response = auth_client(admin_user).get(path, {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_a_huge_id_in_a_booking_body_is_a_400(auth_client, admin_user):
    response = auth_client(admin_user).post(
        "/api/admin-panel/appointments/",
        {"patient": int(HUGE), "doctor": 1, "schedule": 1, "appointment_time": "09:00"},
    )
    assert response.status_code == 400
    assert "patient" in response.json()


def test_a_non_object_body_is_a_400(auth_client, admin_user):
    response = auth_client(admin_user).post("/api/admin-panel/patients/", [1, 2], format="json")
    assert response.status_code == 400

"""Fuzz findings F5: every error status the API answers with is documented in the schema.

schemathesis' status_code_conformance failed on 161 (operation, status) pairs: the schema listed
only the success status. Each test below replays one of them and checks the answer against the
served schema (status, content type, required headers, body).
"""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory
from healthcare.tests.fuzz.conformance import assert_conforms

pytestmark = pytest.mark.django_db


def test_anonymous_profile_request_is_a_documented_401_naming_bearer(api_client):
    response = api_client.get("/api/profile/")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_conforms(response, "GET", "/api/profile/")


def test_patient_listing_admin_doctors_is_a_documented_403(auth_client, patient):
    response = auth_client(patient).get("/api/admin-panel/doctors/")

    assert response.status_code == 403
    assert_conforms(response, "GET", "/api/admin-panel/doctors/")


def test_doctors_list_page_past_the_end_is_a_documented_404(api_client):
    DoctorFactory()

    response = api_client.get("/api/doctors/", {"page": 99})

    assert response.status_code == 404
    assert_conforms(response, "GET", "/api/doctors/")


def test_doctors_list_with_an_unknown_ordering_is_a_documented_400(api_client):
    response = api_client.get("/api/doctors/", {"ordering": "null"})

    assert response.status_code == 400
    assert_conforms(response, "GET", "/api/doctors/")


def test_unknown_doctor_is_a_documented_404(api_client):
    response = api_client.get("/api/doctors/999999/")

    assert response.status_code == 404
    assert_conforms(response, "GET", "/api/doctors/{id}/")


def test_slots_with_date_to_before_date_from_is_a_documented_400(api_client):
    doctor = DoctorFactory()
    today = timezone.localdate()

    response = api_client.get(
        f"/api/doctors/{doctor.pk}/slots/",
        {"date_from": today.isoformat(), "date_to": (today - dt.timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 400
    assert_conforms(response, "GET", "/api/doctors/{id}/slots/")


def test_token_request_without_fields_is_a_documented_400(api_client):
    response = api_client.post("/api/token/", {}, format="json")

    assert response.status_code == 400
    assert_conforms(response, "POST", "/api/token/")


def test_token_request_that_is_not_json_is_a_documented_415(api_client):
    response = api_client.post("/api/token/", "mobile_number=1", content_type="text/plain")

    assert response.status_code == 415
    assert_conforms(response, "POST", "/api/token/")


def test_refresh_request_without_a_token_is_a_documented_400(api_client):
    response = api_client.post("/api/token/refresh/", {}, format="json")

    assert response.status_code == 400
    assert_conforms(response, "POST", "/api/token/refresh/")


def test_logout_without_a_refresh_token_is_a_documented_400(auth_client, patient):
    response = auth_client(patient).post("/api/logout/", {}, format="json")

    assert response.status_code == 400
    assert_conforms(response, "POST", "/api/logout/")


def test_logout_with_another_users_refresh_token_is_a_documented_401(auth_client, patient, doctor):
    response = auth_client(patient).post(
        "/api/logout/", {"refresh": str(RefreshToken.for_user(doctor))}, format="json"
    )

    assert response.status_code == 401
    assert_conforms(response, "POST", "/api/logout/")


def test_my_appointments_with_an_unknown_status_is_a_documented_400(auth_client, patient):
    response = auth_client(patient).get("/api/profile/appointments/", {"status": "AAA"})

    assert response.status_code == 400
    assert_conforms(response, "GET", "/api/profile/appointments/")


def test_someone_elses_appointment_is_a_documented_404(auth_client, patient):
    appointment = AppointmentFactory()

    response = auth_client(patient).get(f"/api/appointments/{appointment.pk}/")

    assert response.status_code == 404
    assert_conforms(response, "GET", "/api/appointments/{id}/")


def test_patient_patching_an_appointment_is_a_documented_403(auth_client):
    appointment = AppointmentFactory()

    response = auth_client(appointment.patient).patch(
        f"/api/appointments/{appointment.pk}/", {"notes": "x"}, format="json"
    )

    assert response.status_code == 403
    assert_conforms(response, "PATCH", "/api/appointments/{id}/")


def test_cancelling_a_cancelled_appointment_is_a_documented_400(auth_client):
    appointment = AppointmentFactory(status=AppointmentStatus.CANCELLED)

    response = auth_client(appointment.patient).post(f"/api/appointments/{appointment.pk}/cancel/")

    assert response.status_code == 400
    assert_conforms(response, "POST", "/api/appointments/{id}/cancel/")


def test_admin_patching_an_appointment_with_overlong_notes_is_a_documented_400(
    auth_client, admin_user
):
    appointment = AppointmentFactory()

    response = auth_client(admin_user).patch(
        f"/api/admin-panel/appointments/{appointment.pk}/", {"notes": "x" * 5000}, format="json"
    )

    assert response.status_code == 400
    assert "notes" in response.json()
    assert_conforms(response, "PATCH", "/api/admin-panel/appointments/{id}/")


def test_admin_patient_list_with_a_malformed_is_active_is_a_documented_400(auth_client, admin_user):
    response = auth_client(admin_user).get("/api/admin-panel/patients/", {"is_active": "maybe"})

    assert response.status_code == 400
    assert_conforms(response, "GET", "/api/admin-panel/patients/")


def test_admin_unknown_audit_entry_is_a_documented_404(auth_client, admin_user):
    response = auth_client(admin_user).get("/api/admin-panel/audit-log/999999/")

    assert response.status_code == 404
    assert_conforms(response, "GET", "/api/admin-panel/audit-log/{id}/")


def test_reports_page_past_the_end_is_a_documented_404(auth_client, admin_user):
    response = auth_client(admin_user).get("/api/admin-panel/reports/", {"page": 99})

    assert response.status_code == 404
    assert_conforms(response, "GET", "/api/admin-panel/reports/")


def test_throttled_request_is_a_documented_429_with_retry_after(api_client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "1/min")
    api_client.get("/api/doctors/")

    response = api_client.get("/api/doctors/")

    assert response.status_code == 429
    assert_conforms(response, "GET", "/api/doctors/")

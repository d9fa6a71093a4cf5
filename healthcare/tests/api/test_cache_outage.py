"""The cache (Redis: throttle state) unreachable is not an outage of the API.

Ordinary throttles fail open; sign-in and registration fail closed with 503 and Retry-After;
health says `degraded`. The cache points at a port where nothing listens, as a dead Redis does.
"""

import pytest
from django.conf import settings as django_settings
from rest_framework_simplejwt.tokens import RefreshToken

from admin_panel.models import AuditLogEntry
from doctors.tests.factories import ScheduleFactory
from users.models import User
from users.tests.factories import PASSWORD, AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "healthcare.cache.RedisCache",
            # Port 1 (tcpmux): nothing listens there, so every connection is refused.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": django_settings.CACHES["default"].get("OPTIONS", {}),
        }
    }


def test_public_endpoints_keep_serving(api_client, cache_down):
    assert api_client.get("/api/doctors/").status_code == 200


def test_signed_in_endpoints_keep_serving(auth_client, patient, cache_down):
    assert auth_client(patient).get("/api/profile/").status_code == 200


def test_booking_keeps_working(auth_client, patient, cache_down):
    schedule = ScheduleFactory()
    body = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": "09:00"}
    assert auth_client(patient).post("/api/appointments/book/", body).status_code == 201


def test_token_refresh_keeps_working(api_client, patient, cache_down):
    refresh = str(RefreshToken.for_user(patient))
    assert api_client.post("/api/token/refresh/", {"refresh": refresh}).status_code == 200


def test_sign_in_answers_503_json_with_retry_after(api_client, patient, cache_down):
    response = api_client.post(
        "/api/token/", {"mobile_number": patient.mobile_number, "password": PASSWORD}
    )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()
    assert "access" not in response.json()


def test_sign_in_checks_no_password_while_the_cache_is_down(api_client, patient, cache_down):
    api_client.post("/api/token/", {"mobile_number": patient.mobile_number, "password": "Wrong-1"})
    assert not AuditLogEntry.objects.filter(action__startswith="login_").exists()


def test_registration_answers_503_json_with_retry_after(api_client, cache_down):
    response = api_client.post(
        "/api/register/",
        {"mobile_number": "01712345678", "password": PASSWORD, "full_name": "Rahim Uddin"},
    )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()
    assert not User.objects.exists()


@pytest.mark.parametrize("page", ["/admin/login/", "/api-auth/login/"])
def test_sign_in_pages_answer_503_and_sign_no_one_in(client, cache_down, page):
    admin = AdminFactory()
    response = client.post(page, {"username": admin.mobile_number, "password": PASSWORD})
    assert response.status_code == 503
    assert "_auth_user_id" not in client.session


def test_health_says_degraded_with_a_200(api_client, cache_down):
    response = api_client.get("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}

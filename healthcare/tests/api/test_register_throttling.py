"""Registration limits on POST /api/register/: per client IP."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from users.models import User

pytestmark = pytest.mark.django_db

URL = "/api/register/"


@pytest.fixture(autouse=True)
def two_per_minute(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "register", "2/min")


def register(client, number, ip="198.51.100.1", **extra):
    body = {"mobile_number": number, "password": "Correct-Horse-42", "full_name": "Rahim Uddin"}
    return client.post(URL, body, REMOTE_ADDR=ip, **extra)


def test_third_registration_from_one_ip_is_429_with_retry_after(api_client):
    register(api_client, "01712345671")
    register(api_client, "01712345672")
    response = register(api_client, "01712345673")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_throttled_registration_stores_nothing(api_client):
    register(api_client, "01712345671")
    register(api_client, "01712345672")
    register(api_client, "01712345673")
    assert not User.objects.filter(mobile_number="+8801712345673").exists()


def test_failed_registrations_count_toward_the_limit(api_client):
    register(api_client, "not-a-number")
    register(api_client, "not-a-number")
    assert register(api_client, "01712345673").status_code == 429


def test_registration_limit_leaves_other_ips_alone(api_client):
    register(api_client, "01712345671")
    register(api_client, "01712345672")
    assert register(api_client, "01712345673", ip="198.51.100.2").status_code == 201


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(api_client):
    register(api_client, "01712345671", HTTP_X_FORWARDED_FOR="203.0.113.1")
    register(api_client, "01712345672", HTTP_X_FORWARDED_FOR="203.0.113.2")
    response = register(api_client, "01712345673", HTTP_X_FORWARDED_FOR="203.0.113.3")
    assert response.status_code == 429

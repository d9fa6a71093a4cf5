"""Brute-force limits on POST /api/token/: per number (any form, any IP) and per client IP."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/token/"
LOCAL = "01712345678"
E164 = "+8801712345678"
WRONG = "Wrong-Password-1"


@pytest.fixture
def rates(monkeypatch):
    """Lower one scope's rate; DRF reads THROTTLE_RATES when each throttle is built."""

    def lower(scope: str, rate: str):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return lower


@pytest.fixture
def account():
    return PatientFactory(mobile_number=E164)


def attempt(client, number, password=WRONG, ip="198.51.100.1", **extra):
    return client.post(
        URL, {"mobile_number": number, "password": password}, REMOTE_ADDR=ip, **extra
    )


def test_attempts_on_one_number_from_many_ips_are_throttled_together(api_client, account, rates):
    rates("login_number", "3/min")
    for index, number in enumerate([LOCAL, E164, LOCAL]):
        assert attempt(api_client, number, ip=f"198.51.100.{index + 1}").status_code == 401
    response = attempt(api_client, E164, ip="198.51.100.9")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_throttled_number_is_refused_even_with_the_right_password(api_client, account, rates):
    rates("login_number", "1/min")
    attempt(api_client, LOCAL)
    response = attempt(api_client, E164, password=PASSWORD)
    assert response.status_code == 429
    assert "access" not in response.json()


def test_throttled_login_answers_json_with_a_detail(api_client, account, rates):
    rates("login_number", "1/min")
    attempt(api_client, LOCAL)
    response = attempt(api_client, LOCAL)
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_attempts_from_one_ip_on_many_numbers_are_throttled(api_client, rates):
    rates("login_ip", "3/min")
    for suffix in range(3):
        assert attempt(api_client, f"0171234567{suffix}").status_code == 401
    response = attempt(api_client, "01712345679")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_ip_limit_leaves_other_ips_alone(api_client, account, rates):
    rates("login_ip", "2/min")
    attempt(api_client, "01812345670", ip="198.51.100.1")
    attempt(api_client, "01812345671", ip="198.51.100.1")
    response = attempt(api_client, LOCAL, password=PASSWORD, ip="198.51.100.2")
    assert response.status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_ip_limit(api_client, rates, settings):
    # With no trusted proxy, X-Forwarded-For is the client's own claim and must be ignored.
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0
    rates("login_ip", "2/min")
    attempt(api_client, "01812345670", HTTP_X_FORWARDED_FOR="203.0.113.1")
    attempt(api_client, "01812345671", HTTP_X_FORWARDED_FOR="203.0.113.2")
    response = attempt(api_client, "01812345672", HTTP_X_FORWARDED_FOR="203.0.113.3")
    assert response.status_code == 429

"""`/admin/login/` and `/api-auth/login/` share the sign-in throttles and audit of /api/token/."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from admin_panel.models import AuditLogEntry
from users.tests.factories import PASSWORD, AdminFactory, PatientFactory

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Password-1"
PAGES = ["/admin/login/", "/api-auth/login/"]


@pytest.fixture
def rates(monkeypatch):
    def lower(scope: str, rate: str):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return lower


@pytest.fixture
def account():
    # An admin can sign in on both pages.
    return AdminFactory(mobile_number="+8801712345678")


def sign_in(client, page, number, password, ip="198.51.100.1"):
    return client.post(page, {"username": number, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", PAGES)
def test_the_right_password_signs_in(client, account, page):
    response = sign_in(client, page, "01712345678", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("page", PAGES)
def test_failed_attempts_lock_the_number_even_for_the_right_password(client, account, rates, page):
    rates("login_number", "3/min")
    for _ in range(3):
        assert sign_in(client, page, "01712345678", WRONG).status_code == 200
    response = sign_in(client, page, "+8801712345678", PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not signed_in(client)


@pytest.mark.parametrize("page", PAGES)
def test_attempts_from_one_ip_on_many_numbers_are_throttled(client, rates, page):
    rates("login_ip", "3/min")
    for suffix in range(3):
        sign_in(client, page, f"0171234567{suffix}", WRONG)
    assert sign_in(client, page, "01712345679", WRONG).status_code == 429


def test_the_pages_and_the_token_endpoint_share_one_count(client, api_client, account, rates):
    rates("login_number", "3/min")
    sign_in(client, "/admin/login/", "01712345678", WRONG)
    sign_in(client, "/api-auth/login/", "01712345678", WRONG)
    api_client.post("/api/token/", {"mobile_number": "01712345678", "password": WRONG})
    response = api_client.post(
        "/api/token/", {"mobile_number": "01712345678", "password": PASSWORD}
    )
    assert response.status_code == 429


@pytest.mark.parametrize("page", PAGES)
def test_a_failed_attempt_is_audited_with_a_masked_number(client, account, page):
    sign_in(client, page, "01712345678", WRONG)
    entry = AuditLogEntry.objects.get(action="login_failed")
    assert entry.actor_id is None
    assert (entry.object_type, entry.object_id) == ("user", account.pk)
    assert entry.details["mobile_number"] == "*" * 11 + "678"
    assert WRONG not in str(entry.details)


@pytest.mark.parametrize("page", PAGES)
def test_a_successful_sign_in_is_audited_with_the_actor(client, account, page):
    sign_in(client, page, "01712345678", PASSWORD)
    entry = AuditLogEntry.objects.get(action="login_succeeded")
    assert (entry.actor_id, entry.object_id) == (account.pk, account.pk)


def test_a_patient_with_the_right_password_is_refused_by_the_admin_and_audited(client):
    patient = PatientFactory()
    response = sign_in(client, "/admin/login/", patient.mobile_number, PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)
    assert AuditLogEntry.objects.get(action="login_failed").object_id == patient.pk

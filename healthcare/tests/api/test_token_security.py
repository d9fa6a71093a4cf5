"""Sign-in leaks nothing: no account enumeration, no secrets in logs or error bodies."""

import logging

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/token/"
REGISTER = "/api/register/"
LOCAL = "01712345678"
E164 = "+8801712345678"
WRONG = "Wrong-Password-9"


def login(client, number, password):
    response = client.post(TOKEN, {"mobile_number": number, "password": password})
    return response.status_code, response.json(), response.get("WWW-Authenticate")


@pytest.fixture
def account():
    return PatientFactory(mobile_number=E164)


@pytest.fixture
def wrong_password(api_client, account):
    return login(api_client, LOCAL, WRONG)


def test_wrong_password_is_a_401(wrong_password):
    assert wrong_password[0] == 401


def test_unknown_number_is_answered_like_a_wrong_password(api_client, wrong_password):
    assert login(api_client, "01812345678", WRONG) == wrong_password


def test_malformed_number_is_answered_like_a_wrong_password(api_client, wrong_password):
    assert login(api_client, "12ab", WRONG) == wrong_password


def test_inactive_account_is_answered_like_a_wrong_password(api_client, account, wrong_password):
    get_user_model().objects.filter(pk=account.pk).update(is_active=False)
    assert login(api_client, LOCAL, PASSWORD) == wrong_password


def test_deactivated_users_still_valid_access_token_is_refused(api_client, account):
    access = str(RefreshToken.for_user(account).access_token)
    get_user_model().objects.filter(pk=account.pk).update(is_active=False)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api_client.get("/api/profile/")
    assert response.status_code == 401


def test_active_users_access_token_is_accepted(api_client, account):
    # The control for the test above: the same token works while the account is active.
    access = str(RefreshToken.for_user(account).access_token)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api_client.get("/api/profile/").status_code == 200


def test_token_signed_with_another_key_is_refused(api_client, account):
    token = RefreshToken.for_user(account).access_token
    header, payload, _signature = str(token).split(".")
    forged = f"{header}.{payload}.{'A' * 43}"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    assert api_client.get("/api/profile/").status_code == 401


@pytest.fixture
def all_logs(caplog):
    """Capture every logger at DEBUG, including those configured to a higher level."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def captured_text(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(record.exc_text or "")
        parts.append(repr(getattr(record, "request", "")))
    return "\n".join(parts)


def secrets_found(text: str, secrets: list[str]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def test_registration_and_logins_log_no_password_token_or_full_number(all_logs):
    password = "Unusual-Secret-Passphrase-77"
    client = APIClient()
    registered = client.post(
        REGISTER, {"mobile_number": LOCAL, "password": password, "full_name": "Rahim Uddin"}
    )
    assert registered.status_code == 201
    failed = client.post(TOKEN, {"mobile_number": LOCAL, "password": "Wrong-" + password})
    assert failed.status_code == 401
    tokens = client.post(TOKEN, {"mobile_number": E164, "password": password}).json()

    secrets = [password, tokens["access"], tokens["refresh"], E164, LOCAL, E164.lstrip("+")]
    assert all_logs.records, "nothing was captured: the check below would prove nothing"
    assert secrets_found(captured_text(all_logs), secrets) == []


def test_failed_registration_logs_no_password_or_full_number(all_logs, account):
    password = "Unusual-Secret-Passphrase-77"
    response = APIClient().post(
        REGISTER, {"mobile_number": LOCAL, "password": password, "full_name": "Rahim Uddin"}
    )
    assert response.status_code == 400
    text = captured_text(all_logs) + response.content.decode()
    assert secrets_found(text, [password, E164, LOCAL, E164.lstrip("+")]) == []


def test_failed_login_body_echoes_neither_password_nor_number(api_client, account):
    response = api_client.post(TOKEN, {"mobile_number": LOCAL, "password": WRONG})
    body = response.content.decode()
    assert secrets_found(body, [WRONG, LOCAL, E164, E164.lstrip("+")]) == []


def test_the_log_check_would_see_a_leaked_password(all_logs):
    # Guards the two log tests above: a password written to any logger is found.
    logging.getLogger("users.services").debug("login attempt with %s", "Leaky-Password-1")
    assert secrets_found(captured_text(all_logs), ["Leaky-Password-1"]) == ["Leaky-Password-1"]

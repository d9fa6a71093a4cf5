import pytest
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from healthcare.events import domain_event
from healthcare.tests.errors import detail_error
from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/token/"
LOCAL = "01712345678"
E164 = "+8801712345678"


@pytest.fixture
def account():
    return PatientFactory(mobile_number=E164)


@pytest.fixture
def wrong_password_body(api_client, account):
    response = api_client.post(URL, {"mobile_number": LOCAL, "password": "Not-The-Password-1"})
    assert response.status_code == 401
    return response.json()


@pytest.fixture
def events():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    domain_event.connect(receiver, weak=False)
    yield received
    domain_event.disconnect(receiver)


def test_login_with_local_form_returns_a_token_pair(api_client, account):
    response = api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    assert response.status_code == 200
    assert AccessToken(response.json()["access"])["user_id"] == str(account.pk)
    assert RefreshToken(response.json()["refresh"])["user_id"] == str(account.pk)


def test_login_with_e164_form_returns_a_token_pair(api_client, account):
    response = api_client.post(URL, {"mobile_number": E164, "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_wrong_password_is_401(wrong_password_body):
    assert wrong_password_body == detail_error(
        "No active account found with the given credentials", "no_active_account"
    )


def test_unknown_number_gets_the_same_401_as_a_wrong_password(api_client, wrong_password_body):
    response = api_client.post(URL, {"mobile_number": "01812345678", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == wrong_password_body


def test_malformed_number_gets_the_same_401_as_a_wrong_password(api_client, wrong_password_body):
    response = api_client.post(URL, {"mobile_number": "12ab", "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == wrong_password_body


def test_inactive_user_gets_the_same_401_as_a_wrong_password(
    api_client, account, wrong_password_body
):
    account.is_active = False
    account.save(update_fields=["is_active"])
    response = api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == wrong_password_body


def test_token_from_the_login_endpoint_opens_the_profile(api_client, account):
    tokens = api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD}).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.get("/api/profile/")
    assert response.status_code == 200
    assert response.json()["id"] == account.pk


def test_missing_password_is_400(api_client, account):
    response = api_client.post(URL, {"mobile_number": LOCAL})
    assert response.status_code == 400
    assert "password" in response.json()


def test_login_ignores_a_stale_authorization_header(api_client, account):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    response = api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    assert response.status_code == 200


def test_failed_login_is_announced_with_the_number_masked(api_client, account, events):
    api_client.post(URL, {"mobile_number": LOCAL, "password": "Not-The-Password-1"})
    failed = [e for e in events if e["action"] == "login_failed"]
    assert len(failed) == 1
    assert failed[0]["actor"] is None
    assert failed[0]["object_id"] == account.pk
    assert failed[0]["details"]["mobile_number"] == "*" * 11 + "678"
    assert "Not-The-Password-1" not in str(failed[0])


def test_successful_login_records_last_login(api_client, account):
    api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    account.refresh_from_db()
    assert account.last_login is not None


def test_attempts_on_one_number_are_throttled_whatever_its_form(api_client, account, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login_number", "2/min")
    api_client.post(URL, {"mobile_number": LOCAL, "password": "Wrong-Password-1"})
    api_client.post(URL, {"mobile_number": E164, "password": "Wrong-Password-2"})
    response = api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_throttling_one_number_leaves_other_numbers_alone(api_client, account, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login_number", "1/min")
    other = PatientFactory()
    api_client.post(URL, {"mobile_number": LOCAL, "password": "Wrong-Password-1"})
    response = api_client.post(URL, {"mobile_number": other.mobile_number, "password": PASSWORD})
    assert response.status_code == 200


def test_over_long_number_gets_the_same_401_as_a_wrong_password(api_client, wrong_password_body):
    response = api_client.post(URL, {"mobile_number": "0" * 500, "password": PASSWORD})
    assert response.status_code == 401
    assert response.json() == wrong_password_body


def test_over_long_password_gets_the_same_401_as_a_wrong_password(api_client, wrong_password_body):
    response = api_client.post(URL, {"mobile_number": LOCAL, "password": "x" * 500})
    assert response.status_code == 401
    assert response.json() == wrong_password_body


def test_password_with_surrounding_spaces_is_kept_as_typed(api_client):
    api_client.post(
        "/api/register/",
        {"mobile_number": LOCAL, "password": " Spaced-Pass-42 ", "full_name": "Rina Das"},
    )
    trimmed = api_client.post(URL, {"mobile_number": LOCAL, "password": "Spaced-Pass-42"})
    exact = api_client.post(URL, {"mobile_number": LOCAL, "password": " Spaced-Pass-42 "})
    assert (trimmed.status_code, exact.status_code) == (401, 200)


def test_login_runs_a_fixed_number_of_queries(api_client, account, django_assert_num_queries):
    # The account, its last_login, the refresh token's record, the audit row.
    with django_assert_num_queries(4):
        response = api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    assert response.status_code == 200


def test_a_number_sent_as_a_json_number_is_400(api_client, account):
    response = api_client.post(URL, {"mobile_number": 1712345678, "password": PASSWORD})
    assert response.status_code == 400
    assert "mobile_number" in response.json()


def test_a_number_sent_as_a_json_number_is_not_checked_or_audited(api_client, account, events):
    api_client.post(URL, {"mobile_number": 1712345678, "password": "Wrong-Password-1"})
    assert [e for e in events if e["action"].startswith("login_")] == []


def test_successful_sign_ins_do_not_lock_a_number_out(api_client, account, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login_number", "5/min")
    statuses = [
        api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD}).status_code
        for _ in range(7)
    ]
    assert statuses == [200] * 7


def test_failed_attempts_still_lock_a_number_out_after_successes(api_client, account, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login_number", "2/min")
    api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    for _ in range(2):
        api_client.post(URL, {"mobile_number": LOCAL, "password": "Wrong-Password-1"})
    response = api_client.post(URL, {"mobile_number": LOCAL, "password": PASSWORD})
    assert response.status_code == 429

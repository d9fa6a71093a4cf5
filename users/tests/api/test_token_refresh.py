import datetime as dt

import pytest
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/token/refresh/"


@pytest.fixture
def account():
    return PatientFactory()


@pytest.fixture
def refresh(api_client, account):
    response = api_client.post(
        "/api/token/", {"mobile_number": account.mobile_number, "password": PASSWORD}
    )
    return response.json()["refresh"]


def test_refresh_returns_a_new_pair(api_client, account, refresh):
    response = api_client.post(URL, {"refresh": refresh})
    assert response.status_code == 200
    assert response.json()["refresh"] != refresh
    assert AccessToken(response.json()["access"])["user_id"] == str(account.pk)


def test_refresh_token_is_spent_once_used(api_client, refresh):
    api_client.post(URL, {"refresh": refresh})
    response = api_client.post(URL, {"refresh": refresh})
    assert response.status_code == 401
    assert "detail" in response.json()


def test_rotated_refresh_token_works_in_turn(api_client, refresh):
    second = api_client.post(URL, {"refresh": refresh}).json()["refresh"]
    response = api_client.post(URL, {"refresh": second})
    assert response.status_code == 200


def test_new_access_token_opens_the_profile(api_client, account, refresh):
    access = api_client.post(URL, {"refresh": refresh}).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api_client.get("/api/profile/").json()["id"] == account.pk


def test_refresh_of_a_deactivated_user_is_401(api_client, account, refresh):
    account.is_active = False
    account.save(update_fields=["is_active"])
    response = api_client.post(URL, {"refresh": refresh})
    assert response.status_code == 401


def test_malformed_refresh_token_is_401(api_client):
    response = api_client.post(URL, {"refresh": "not-a-token"})
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")


def test_access_token_is_not_accepted_as_a_refresh_token(api_client, account):
    access = str(RefreshToken.for_user(account).access_token)
    response = api_client.post(URL, {"refresh": access})
    assert response.status_code == 401


def test_expired_refresh_token_is_401(api_client, account):
    token = RefreshToken.for_user(account)
    token.set_exp(lifetime=-dt.timedelta(seconds=1))
    response = api_client.post(URL, {"refresh": str(token)})
    assert response.status_code == 401


def test_missing_refresh_is_400(api_client):
    response = api_client.post(URL, {})
    assert response.status_code == 400
    assert "refresh" in response.json()


def test_refresh_ignores_a_stale_authorization_header(api_client, refresh):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    response = api_client.post(URL, {"refresh": refresh})
    assert response.status_code == 200

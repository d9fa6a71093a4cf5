import datetime as dt

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/logout/"


@pytest.fixture
def account():
    return PatientFactory()


@pytest.fixture
def tokens(api_client, account):
    response = api_client.post(
        "/api/token/", {"mobile_number": account.mobile_number, "password": PASSWORD}
    )
    return response.json()


@pytest.fixture
def signed_in(api_client, tokens):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return api_client


def test_logout_is_205_with_an_empty_body(signed_in, tokens):
    response = signed_in.post(URL, {"refresh": tokens["refresh"]})
    assert response.status_code == 205
    assert response.content == b""


def test_refresh_token_fails_after_logout(signed_in, tokens):
    signed_in.post(URL, {"refresh": tokens["refresh"]})
    signed_in.credentials()
    response = signed_in.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_logout_twice_with_one_token_is_401(signed_in, tokens):
    signed_in.post(URL, {"refresh": tokens["refresh"]})
    response = signed_in.post(URL, {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_logout_with_a_rotated_refresh_token_is_401(signed_in, tokens):
    signed_in.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    response = signed_in.post(URL, {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_logout_with_a_malformed_refresh_token_is_401(signed_in):
    response = signed_in.post(URL, {"refresh": "not-a-token"})
    assert response.status_code == 401


def test_logout_with_an_expired_refresh_token_is_401(signed_in, account):
    token = RefreshToken.for_user(account)
    token.set_exp(lifetime=-dt.timedelta(seconds=1))
    response = signed_in.post(URL, {"refresh": str(token)})
    assert response.status_code == 401


def test_logout_with_another_users_refresh_token_is_401_and_leaves_it_valid(signed_in):
    other = RefreshToken.for_user(PatientFactory())
    response = signed_in.post(URL, {"refresh": str(other)})
    assert response.status_code == 401
    signed_in.credentials()
    assert signed_in.post("/api/token/refresh/", {"refresh": str(other)}).status_code == 200


def test_logout_with_an_access_token_in_the_body_is_401(signed_in, tokens):
    response = signed_in.post(URL, {"refresh": tokens["access"]})
    assert response.status_code == 401


def test_logout_without_refresh_is_400(signed_in):
    response = signed_in.post(URL, {})
    assert response.status_code == 400
    assert "refresh" in response.json()


def test_anonymous_logout_is_401_with_a_bearer_challenge(api_client, tokens):
    response = api_client.post(URL, {"refresh": tokens["refresh"]})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_logout_leaves_the_token_valid(api_client, tokens):
    api_client.post(URL, {"refresh": tokens["refresh"]})
    response = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    assert response.status_code == 200

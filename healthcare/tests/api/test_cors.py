"""CORS on /api/: only the origins listed in CORS_ALLOWED_ORIGINS may call from a browser."""

import pytest

pytestmark = pytest.mark.django_db

ALLOWED = "https://app.example.com"
REFUSED = "https://evil.example.com"


@pytest.fixture(autouse=True)
def one_allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def preflight(client, origin):
    return client.options(
        "/api/token/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )


def test_listed_origin_passes_the_preflight(api_client):
    response = preflight(api_client, ALLOWED)
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_unlisted_origin_gets_no_cors_grant(api_client):
    response = preflight(api_client, REFUSED)
    assert "Access-Control-Allow-Origin" not in response


def test_listed_origin_may_read_a_response(api_client):
    response = api_client.get("/api/health/", HTTP_ORIGIN=ALLOWED)
    assert response["Access-Control-Allow-Origin"] == ALLOWED


def test_unlisted_origin_may_not_read_a_response(api_client):
    response = api_client.get("/api/health/", HTTP_ORIGIN=REFUSED)
    assert "Access-Control-Allow-Origin" not in response


def test_no_origin_is_allowed_when_none_is_configured(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = []
    assert "Access-Control-Allow-Origin" not in preflight(api_client, ALLOWED)

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


# Development (`make run`, DEBUG on): any port of this machine's own names, nothing else.


@pytest.fixture
def dev_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = []
    settings.CORS_ALLOWED_ORIGIN_REGEXES = settings.CORS_DEV_ORIGIN_REGEXES


@pytest.mark.usefixtures("dev_origins")
@pytest.mark.parametrize(
    "origin", ["http://localhost:5173", "http://127.0.0.1:3000", "http://localhost"]
)
def test_development_allows_a_dev_server_on_any_local_port(api_client, origin):
    assert preflight(api_client, origin)["Access-Control-Allow-Origin"] == origin


@pytest.mark.usefixtures("dev_origins")
@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost.example.com",
        "http://127.0.0.1.example.com:8000",
        "https://example.com",
        "http://192.0.2.1:5173",
    ],
)
def test_development_refuses_origins_beyond_this_machine(api_client, origin):
    assert "Access-Control-Allow-Origin" not in preflight(api_client, origin)


def test_browser_code_may_read_the_retry_replay_and_auth_headers(api_client):
    response = api_client.get("/api/health/", HTTP_ORIGIN=ALLOWED)
    exposed = {
        name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")
    }
    assert exposed >= {"retry-after", "idempotent-replayed", "www-authenticate"}


def test_a_browser_may_send_an_idempotency_key(api_client):
    response = api_client.options(
        "/api/appointments/book/",
        HTTP_ORIGIN=ALLOWED,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type,idempotency-key",
    )
    allowed = {name.strip().lower() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert allowed >= {"authorization", "content-type", "idempotency-key"}

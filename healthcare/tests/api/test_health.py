import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db

URL = "/api/health/"


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self):
        raise OperationalError("connection refused")

    # Every backend connects through here; failing it is what an unreachable server looks like.
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


def test_health_reports_ok_when_the_database_answers(api_client):
    response = api_client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_reports_503_when_the_database_is_unreachable(api_client, database_down):
    response = api_client.get(URL)
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "unavailable"


def test_health_needs_no_authentication_even_with_a_bad_token(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get(URL)
    assert response.status_code == 200


def test_health_is_not_throttled(api_client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/min")
    statuses = {api_client.get(URL).status_code for _ in range(5)}
    assert statuses == {200}

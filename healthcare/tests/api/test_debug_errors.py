"""With DEBUG on (`make run`), errors under /api/ are still JSON, not Django's technical pages."""

import pytest
from rest_framework.test import APIClient

from healthcare.tests.errors import detail_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.usefixtures("debug_on")
def test_unknown_api_path_is_a_json_404_with_debug_on(api_client):
    response = api_client.get("/api/nope/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == detail_error("Not found.", "not_found")


@pytest.mark.usefixtures("debug_on")
@pytest.mark.urls("healthcare.tests.urls")
def test_crash_under_api_is_a_json_500_with_debug_on():
    client = APIClient()
    client.raise_request_exception = False
    response = client.get("/api/test-plain-boom/")
    assert response.status_code == 500
    assert response.json() == detail_error("A server error occurred.", "server_error")


@pytest.mark.usefixtures("debug_on")
def test_unknown_path_outside_the_api_keeps_the_debug_page(client):
    response = client.get("/elsewhere/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.usefixtures("debug_on")
def test_browsable_api_404_stays_html_with_debug_on(api_client):
    response = api_client.get("/api/doctors/999999/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")

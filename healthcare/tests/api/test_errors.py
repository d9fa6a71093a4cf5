"""Errors under /api/ are JSON with DEBUG off: unknown paths, wrong methods, crashes, bad bodies."""

import json

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from healthcare.api.parsers import MAX_DEPTH
from healthcare.tests.errors import detail_error

pytestmark = pytest.mark.django_db

REGISTER = "/api/register/"


def assert_json(response):
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_debug_is_off_for_these_tests():
    # Django's HTML debug pages would hide a missing handler; the tests run as production does.
    assert settings.DEBUG is False


def test_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert assert_json(response) == detail_error("Not found.", "not_found")


def test_unknown_api_path_is_json_even_when_a_browser_asks_for_html(api_client):
    response = api_client.get("/api/no-such-endpoint/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert assert_json(response) == detail_error("Not found.", "not_found")


def test_bare_api_prefix_is_a_json_404(api_client):
    response = api_client.get("/api")
    assert response.status_code == 404
    assert assert_json(response) == detail_error("Not found.", "not_found")


def test_unknown_path_outside_the_api_keeps_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_wrong_method_is_a_json_405(api_client):
    response = api_client.get(REGISTER)
    assert response.status_code == 405
    assert "detail" in assert_json(response)


def test_wrong_method_on_the_docs_script_is_a_json_405(api_client):
    response = api_client.post("/api/redoc/redoc.standalone.js")
    assert response.status_code == 405
    assert "detail" in assert_json(response)


@pytest.mark.urls("healthcare.tests.urls")
def test_crash_in_an_api_view_is_a_json_500_without_internals():
    client = APIClient()
    client.raise_request_exception = False
    response = client.get("/api/test-boom/")
    assert response.status_code == 500
    assert assert_json(response) == detail_error("A server error occurred.", "server_error")


@pytest.mark.urls("healthcare.tests.urls")
def test_crash_in_a_plain_django_view_under_api_is_a_json_500():
    client = APIClient()
    client.raise_request_exception = False
    response = client.get("/api/test-plain-boom/")
    assert response.status_code == 500
    assert assert_json(response) == detail_error("A server error occurred.", "server_error")


@pytest.mark.urls("healthcare.tests.urls")
def test_crash_outside_the_api_keeps_an_html_500():
    client = APIClient()
    client.raise_request_exception = False
    response = client.get("/elsewhere/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


def test_malformed_json_is_a_json_400(api_client):
    response = api_client.post(REGISTER, data='{"mobile_number": ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in assert_json(response)["detail"]


def test_body_over_the_upload_cap_is_a_json_413(api_client):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 64 * 1024
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = json.dumps({"mobile_number": "01712345678", "full_name": padding})
    response = api_client.post(REGISTER, data=body, content_type="application/json")
    assert response.status_code == 413
    assert assert_json(response) == detail_error("Request body too large.", "payload_too_large")


def test_oversized_body_creates_no_account(api_client, django_user_model):
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = json.dumps(
        {"mobile_number": "01712345678", "password": "Correct-Horse-42", "full_name": padding}
    )
    api_client.post(REGISTER, data=body, content_type="application/json")
    assert not django_user_model.objects.exists()


def test_deeply_nested_json_is_a_400_not_a_crash(api_client):
    body = "[" * 20_000 + "]" * 20_000
    response = api_client.post(REGISTER, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in assert_json(response)["detail"]


def test_json_nested_just_past_the_cap_is_refused(api_client):
    body = json.dumps({"full_name": json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)})
    response = api_client.post(REGISTER, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in assert_json(response)["detail"]


def test_json_nested_to_the_cap_is_parsed(api_client):
    body = json.dumps({"full_name": json.loads("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))})
    response = api_client.post(REGISTER, data=body, content_type="application/json")
    assert response.status_code == 400
    # Parsed, then refused by the serializer for what it is, not for its depth.
    assert "full_name" in assert_json(response)


def test_non_json_content_type_is_a_json_415(api_client):
    response = api_client.post(
        REGISTER, data="a=b", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert "detail" in assert_json(response)


def test_disallowed_host_under_api_is_a_json_400(api_client):
    response = api_client.get("/api/health/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert assert_json(response) == detail_error("Bad request.", "bad_request")


def test_a_huge_array_where_a_string_belongs_is_a_400(api_client, django_user_model):
    body = json.dumps(
        {"mobile_number": "01712345678", "password": "Correct-Horse-42", "full_name": [0] * 20_000}
    )
    response = api_client.post(REGISTER, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "full_name" in assert_json(response)
    assert not django_user_model.objects.exists()

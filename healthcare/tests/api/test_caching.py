"""API responses stay out of browser and proxy caches; the docs assets may be cached."""

import pytest

from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db


def test_token_response_is_not_stored(api_client):
    user = PatientFactory()
    response = api_client.post(
        "/api/token/", {"mobile_number": user.mobile_number, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_profile_response_is_not_stored(auth_client, patient):
    response = auth_client(patient).get("/api/profile/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_error_response_is_not_stored(api_client):
    assert api_client.get("/api/no-such-endpoint/")["Cache-Control"] == "no-store"


def test_docs_script_keeps_its_own_caching(api_client):
    response = api_client.get("/api/redoc/redoc.standalone.js")
    assert response["Cache-Control"] == "public, max-age=86400"

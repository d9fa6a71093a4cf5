"""Every /api/ path answers with or without its trailing slash: the same view, no redirect.

Django's APPEND_SLASH would redirect instead (301 with an HTML body, and a POST's body lost), or,
with DEBUG on (`make run`), fail a POST with a 500. Both modes are tested.
"""

import pytest

from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

MODES = [pytest.param(False, id="debug-off"), pytest.param(True, id="debug-on")]


@pytest.fixture(params=MODES)
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def account():
    return PatientFactory()


@pytest.mark.usefixtures("debug")
def test_sign_in_without_the_trailing_slash_returns_a_token_pair(api_client, account):
    response = api_client.post(
        "/api/token", {"mobile_number": account.mobile_number, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


@pytest.mark.usefixtures("debug")
def test_a_post_without_the_trailing_slash_keeps_its_body(api_client):
    response = api_client.post(
        "/api/register",
        {"mobile_number": "01712345670", "password": "Quiet-Harbour-2026", "full_name": "A B"},
    )
    assert response.status_code == 201
    assert response.json()["full_name"] == "A B"


@pytest.mark.usefixtures("debug")
def test_a_list_without_the_trailing_slash_is_served_not_redirected(api_client):
    response = api_client.get("/api/doctors?page_size=1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.usefixtures("debug")
def test_a_path_with_an_id_and_no_trailing_slash_reaches_its_view(api_client):
    response = api_client.get("/api/doctors/999999")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.usefixtures("debug")
def test_a_protected_path_without_the_trailing_slash_still_asks_for_a_token(api_client):
    response = api_client.get("/api/profile")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_pagination_links_name_the_path_with_its_trailing_slash(auth_client, admin_user):
    PatientFactory.create_batch(2)
    response = auth_client(admin_user).get("/api/admin-panel/patients?page_size=1")
    assert response.status_code == 200
    assert "/api/admin-panel/patients/?" in response.json()["next"]


@pytest.mark.usefixtures("debug")
def test_an_unknown_path_without_a_slash_is_a_json_404(api_client):
    response = api_client.post("/api/nowhere", {"a": 1})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.usefixtures("debug")
def test_a_path_that_exists_without_a_slash_is_left_alone(api_client):
    response = api_client.get("/api/redoc/redoc.standalone.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")


@pytest.mark.usefixtures("debug")
def test_no_api_answer_is_a_redirect(api_client):
    statuses = {
        api_client.get(path).status_code
        for path in ("/api/doctors", "/api/health", "/api/schema", "/api/token", "/api")
    }
    assert not statuses & {301, 302, 307, 308}

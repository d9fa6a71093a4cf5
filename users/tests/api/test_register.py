import pytest

from users.models import User
from users.throttles import RegisterThrottle

pytestmark = pytest.mark.django_db

URL = "/api/register/"


def body(**overrides):
    data = {
        "mobile_number": "01712345678",
        "password": "Correct-Horse-42",
        "full_name": "Rahim Uddin",
        "email": "rahim@example.com",
    }
    data.update(overrides)
    return data


def test_patient_registers_and_gets_profile_back(api_client):
    response = api_client.post(URL, body())
    assert response.status_code == 201
    assert response.json()["mobile_number"] == "+8801712345678"
    assert response.json()["role"] == "patient"
    assert "password" not in response.json()


def test_registration_stores_number_in_e164(api_client):
    api_client.post(URL, body())
    assert User.objects.get().mobile_number == "+8801712345678"


def test_duplicate_number_in_other_form_is_refused(api_client):
    api_client.post(URL, body())
    response = api_client.post(URL, body(mobile_number="+8801712345678"))
    assert response.status_code == 400
    assert "mobile_number" in response.json()
    assert User.objects.count() == 1


def test_admin_self_registration_is_refused(api_client):
    response = api_client.post(URL, body(role="admin"))
    assert response.status_code == 400
    assert "role" in response.json()
    assert not User.objects.exists()


def test_weak_password_is_refused_with_validator_messages(api_client):
    response = api_client.post(URL, body(password="12345678"))
    assert response.status_code == 400
    assert response.json()["password"]
    assert not User.objects.exists()


def test_malformed_number_is_refused(api_client):
    response = api_client.post(URL, body(mobile_number="12ab"))
    assert response.status_code == 400
    assert "mobile_number" in response.json()


def test_self_registered_doctor_starts_unverified(api_client):
    response = api_client.post(URL, body(role="doctor"))
    assert response.status_code == 201
    assert response.json()["doctor_detail"]["is_verified"] is False


def test_duplicate_number_in_same_local_form_is_refused(api_client):
    api_client.post(URL, body())
    response = api_client.post(URL, body(full_name="Someone Else"))
    assert response.status_code == 400
    assert "mobile_number" in response.json()
    assert User.objects.count() == 1


def test_number_registered_in_e164_form_blocks_the_local_form(api_client):
    api_client.post(URL, body(mobile_number="+8801712345678"))
    response = api_client.post(URL, body(mobile_number="01712345678"))
    assert response.status_code == 400
    assert User.objects.count() == 1


def test_password_shorter_than_eight_characters_is_refused(api_client):
    response = api_client.post(URL, body(password="Xy7!qz"))
    assert response.status_code == 400
    assert any("too short" in m for m in response.json()["password"])
    assert not User.objects.exists()


def test_common_password_is_refused(api_client):
    response = api_client.post(URL, body(password="password123"))
    assert response.status_code == 400
    assert any("too common" in m for m in response.json()["password"])


def test_entirely_numeric_password_is_refused(api_client):
    response = api_client.post(URL, body(password="73920584617"))
    assert response.status_code == 400
    assert any("entirely numeric" in m for m in response.json()["password"])


def test_password_similar_to_the_email_is_refused(api_client):
    response = api_client.post(
        URL, body(email="tangerine.orchard@example.com", password="tangerine.orchard")
    )
    assert response.status_code == 400
    assert any("too similar" in m for m in response.json()["password"])


def test_password_similar_to_the_full_name_is_refused(api_client):
    response = api_client.post(
        URL, body(full_name="Tahmina Chowdhury", password="TahminaChowdhury")
    )
    assert response.status_code == 400
    assert any("too similar" in m for m in response.json()["password"])


def test_password_is_stored_hashed_and_works(api_client):
    api_client.post(URL, body())
    user = User.objects.get()
    assert user.password != "Correct-Horse-42"
    assert user.check_password("Correct-Horse-42")


def test_role_defaults_to_patient(api_client):
    data = body()
    api_client.post(URL, data)
    assert User.objects.get().role == "patient"


def test_doctor_registration_stores_an_unverified_detail_row(api_client):
    response = api_client.post(URL, body(role="doctor"))
    user = User.objects.get(pk=response.json()["id"])
    assert user.role == "doctor"
    assert user.doctor_detail.is_verified is False
    assert user.doctor_detail.license_number is None


def test_unknown_role_is_refused(api_client):
    response = api_client.post(URL, body(role="superuser"))
    assert response.status_code == 400
    assert "role" in response.json()


def test_email_is_optional(api_client):
    data = body()
    del data["email"]
    response = api_client.post(URL, data)
    assert response.status_code == 201
    assert User.objects.get().email == ""


def test_email_is_not_unique(api_client):
    api_client.post(URL, body())
    response = api_client.post(URL, body(mobile_number="01812345678"))
    assert response.status_code == 201
    assert User.objects.filter(email="rahim@example.com").count() == 2


def test_missing_fields_are_reported(api_client):
    response = api_client.post(URL, {})
    assert response.status_code == 400
    assert set(response.json()) >= {"mobile_number", "password", "full_name"}


def test_invalid_email_is_refused(api_client):
    response = api_client.post(URL, body(email="not-an-email"))
    assert response.status_code == 400
    assert "email" in response.json()


def test_registration_response_has_the_profile_shape(api_client):
    response = api_client.post(URL, body())
    assert set(response.json()) == {
        "id",
        "mobile_number",
        "full_name",
        "email",
        "role",
        "date_joined",
    }


def test_registration_ignores_a_stale_authorization_header(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    response = api_client.post(URL, body())
    assert response.status_code == 201


def test_registrations_are_throttled_per_ip(api_client, monkeypatch):
    monkeypatch.setattr(
        RegisterThrottle, "THROTTLE_RATES", {**RegisterThrottle.THROTTLE_RATES, "register": "2/min"}
    )
    api_client.post(URL, body(mobile_number="01712345671"))
    api_client.post(URL, body(mobile_number="01712345672"))
    response = api_client.post(URL, body(mobile_number="01712345673"))
    assert response.status_code == 429
    assert response.has_header("Retry-After")
    assert User.objects.count() == 2


def test_taken_number_and_weak_password_are_reported_together(api_client):
    api_client.post(URL, body())
    response = api_client.post(URL, body(password="12345678"))
    assert response.status_code == 400
    assert {"mobile_number", "password"} <= set(response.json())


def test_a_number_sent_as_a_json_number_is_400(api_client):
    response = api_client.post(URL, body(mobile_number=1712345678))
    assert response.status_code == 400
    assert "mobile_number" in response.json()
    assert not User.objects.exists()

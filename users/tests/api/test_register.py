import pytest

from users.models import User

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

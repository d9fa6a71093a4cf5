import pytest

from notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/api/profile/notifications/"


def test_anonymous_callers_get_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_preferences_default_to_everything_on(auth_client, patient):
    response = auth_client(patient).get(URL)
    assert response.status_code == 200
    assert response.json() == {"email": True, "sms": True, "reminders": True}


def test_patch_turns_one_channel_off_and_keeps_the_others(auth_client, doctor):
    response = auth_client(doctor).patch(URL, {"sms": False})
    assert response.json() == {"email": True, "sms": False, "reminders": True}
    assert NotificationPreference.objects.get(user=doctor).sms is False


def test_patch_refuses_a_non_boolean(auth_client, patient):
    response = auth_client(patient).patch(URL, {"email": "maybe"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"

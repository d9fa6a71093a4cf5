import base64

import pytest

from admin_panel.models import AuditLogEntry
from notifications.models import Webhook

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/webhooks/"
# A public address literal: no DNS needed, and nothing is sent in these tests.
PUBLIC = "https://93.184.215.14/hooks/clinic"


@pytest.fixture
def admin_client(auth_client, admin_user):
    return auth_client(admin_user)


@pytest.fixture
def webhook(admin_client):
    response = admin_client.post(URL, {"url": PUBLIC, "events": ["appointment.booked"]}, "json")
    return Webhook.objects.get(pk=response.json()["id"])


def test_anonymous_callers_get_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_doctors_get_403(auth_client, doctor):
    assert auth_client(doctor).get(URL).status_code == 403


def test_a_create_answers_201_with_a_generated_standard_webhooks_secret(admin_client):
    response = admin_client.post(URL, {"url": PUBLIC, "events": ["appointment.booked"]}, "json")
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32


def test_a_new_webhook_is_active_by_default(admin_client):
    response = admin_client.post(URL, {"url": PUBLIC, "events": ["appointment.booked"]}, "json")
    assert response.json()["is_active"] is True


def test_the_secret_is_never_shown_after_the_create(admin_client, webhook):
    assert "secret" not in admin_client.get(f"{URL}{webhook.pk}/").json()
    assert "secret" not in admin_client.get(URL).json()["results"][0]


def test_a_given_secret_is_kept(admin_client):
    secret = "whsec_" + base64.b64encode(b"k" * 24).decode()
    body = {"url": PUBLIC, "events": ["appointment.booked"], "secret": secret}
    response = admin_client.post(URL, body, "json")
    assert Webhook.objects.get(pk=response.json()["id"]).secret == secret


def test_a_malformed_secret_is_a_400(admin_client):
    body = {"url": PUBLIC, "events": ["appointment.booked"], "secret": "hunter2"}
    assert admin_client.post(URL, body, "json").status_code == 400


def test_reminders_are_not_a_webhook_event(admin_client):
    response = admin_client.post(URL, {"url": PUBLIC, "events": ["appointment.reminder"]}, "json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://172.16.0.9/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://[fc00::1]/hook",
        "https://[fd12:3456::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:8.8.8.8]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://localhost/hook",
        "http://93.184.215.14/hook",
    ],
)
def test_a_url_that_is_not_public_https_is_refused(admin_client, url):
    response = admin_client.post(URL, {"url": url, "events": ["appointment.booked"]}, "json")
    assert response.status_code == 400
    assert response.json()["code"] == "webhook_url_refused"


def test_an_update_to_a_private_url_is_refused(admin_client, webhook):
    response = admin_client.patch(f"{URL}{webhook.pk}/", {"url": "https://10.0.0.1/x"}, "json")
    assert response.json()["code"] == "webhook_url_refused"


def test_http_and_private_addresses_are_allowed_with_webhook_allow_private(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    body = {"url": "http://127.0.0.1:9/hook", "events": ["appointment.booked"]}
    assert admin_client.post(URL, body, "json").status_code == 201


def test_an_admin_can_deactivate_a_webhook(admin_client, webhook):
    response = admin_client.patch(f"{URL}{webhook.pk}/", {"is_active": False}, "json")
    assert response.status_code == 200
    webhook.refresh_from_db()
    assert webhook.is_active is False


def test_a_delete_removes_the_webhook(admin_client, webhook):
    assert admin_client.delete(f"{URL}{webhook.pk}/").status_code == 204
    assert not Webhook.objects.filter(pk=webhook.pk).exists()


def test_create_update_and_delete_are_audited_without_the_secret(admin_client, webhook):
    admin_client.patch(f"{URL}{webhook.pk}/", {"is_active": False}, "json")
    admin_client.delete(f"{URL}{webhook.pk}/")
    entries = AuditLogEntry.objects.filter(action__startswith="webhook_").order_by("id")
    assert [e.action for e in entries] == ["webhook_created", "webhook_updated", "webhook_deleted"]
    assert all(webhook.secret not in str(e.details) for e in entries)


def test_reading_the_list_is_a_patient_record_read(admin_client, webhook):
    admin_client.get(URL)
    entry = AuditLogEntry.objects.get(action="patient_record_read")
    assert entry.details == {"endpoint": "admin-panel/webhooks"}


def test_a_missing_webhook_is_a_404(admin_client):
    assert admin_client.get(f"{URL}999999/deliveries/").status_code == 404


def test_an_unknown_delivery_status_filter_is_a_400(admin_client, webhook):
    response = admin_client.get(f"{URL}{webhook.pk}/deliveries/", {"status": "lost"})
    assert response.status_code == 400

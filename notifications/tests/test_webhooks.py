"""Webhook deliveries to a real local HTTP receiver, verified with the webhook's secret."""

import base64
import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.db import transaction
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from notifications.models import WebhookDelivery
from notifications.services import notifications_record
from notifications.tests.sinks import http_server
from notifications.webhook_services import webhook_create, webhook_deliveries_deliver

pytestmark = pytest.mark.django_db

BOOK = "/api/appointments/book/"


@pytest.fixture
def receiver(settings):
    # The receiver listens on 127.0.0.1: only allowed with WEBHOOK_ALLOW_PRIVATE=1.
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.NOTIFY_RETRY_SECONDS = [10, 60]
    with http_server() as sink:
        yield sink


@pytest.fixture
def webhook(receiver, admin_user):
    return webhook_create(
        actor=admin_user,
        url=receiver.url.replace("/sms", "/hooks"),
        events=["appointment.booked", "appointment.cancelled"],
    )


@pytest.fixture
def appointment(patient, far_schedule):
    return AppointmentFactory(patient=patient, schedule=far_schedule, notes="private symptoms")


def announce(appointment, event="booked"):
    """Record the event's rows, then deliver what is due (the test's transaction never commits,
    so the after-commit delivery is run by hand)."""
    notifications_record(event=event, appointment_id=appointment.pk, actor_id=None)
    webhook_deliveries_deliver()


def signature_valid(secret: str, request: dict) -> bool:
    headers = {k.lower(): v for k, v in request["headers"].items()}
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["raw"]
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return headers["webhook-signature"] == f"v1,{expected}"


def make_due():
    WebhookDelivery.objects.update(due_at=timezone.now() - dt.timedelta(seconds=1))


def test_a_booking_posts_a_delivery_signed_with_the_webhooks_secret(
    auth_client, patient, far_schedule, webhook, receiver, django_capture_on_commit_callbacks
):
    body = {
        "doctor": far_schedule.doctor_id,
        "schedule": far_schedule.pk,
        "appointment_time": "09:00",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert auth_client(patient).post(BOOK, body).status_code == 201
    assert len(receiver.requests) == 1
    assert signature_valid(webhook.secret, receiver.requests[0])


def test_the_body_id_is_the_webhook_id_header(webhook, receiver, appointment):
    announce(appointment)
    request = receiver.requests[0]
    assert request["json"]["id"] == request["headers"]["webhook-id"]


def test_the_body_names_the_type_and_the_appointment_without_notes(webhook, receiver, appointment):
    announce(appointment)
    body = receiver.requests[0]["json"]
    assert [body["type"], body["data"]["appointment"]["id"]] == [
        "appointment.booked",
        appointment.pk,
    ]
    assert "notes" not in body["data"]["appointment"]
    assert "cancellation_note" not in body["data"]["appointment"]


def test_a_succeeded_delivery_records_its_status_code(webhook, receiver, appointment):
    announce(appointment)
    delivery = WebhookDelivery.objects.get()
    assert [delivery.status, delivery.attempts, delivery.last_status_code] == ["succeeded", 1, 200]


def test_a_webhook_not_listening_to_the_event_gets_nothing(webhook, receiver, appointment):
    announce(appointment, event="confirmed")
    assert not WebhookDelivery.objects.exists()


def test_an_inactive_webhook_gets_nothing(webhook, receiver, appointment):
    webhook.is_active = False
    webhook.save()
    announce(appointment)
    assert not WebhookDelivery.objects.exists()


def test_a_change_that_rolls_back_writes_no_delivery(webhook, receiver, appointment):
    def announce_then_fail():
        with transaction.atomic():
            announce(appointment)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        announce_then_fail()
    assert not WebhookDelivery.objects.exists()


def test_a_500_is_retried_later_with_the_same_id_and_body_then_succeeds(
    webhook, receiver, appointment
):
    receiver.status = 500
    announce(appointment)
    delivery = WebhookDelivery.objects.get()
    assert [delivery.status, delivery.attempts, delivery.last_status_code] == ["pending", 1, 500]
    receiver.status = 204
    make_due()
    webhook_deliveries_deliver()
    first, second = receiver.requests
    assert [second["raw"], second["headers"]["webhook-id"]] == [
        first["raw"],
        first["headers"]["webhook-id"],
    ]
    assert WebhookDelivery.objects.get().status == "succeeded"
    assert signature_valid(webhook.secret, second)


def test_a_redirect_is_a_failure(webhook, receiver, appointment):
    receiver.status = 302
    announce(appointment)
    delivery = WebhookDelivery.objects.get()
    assert [delivery.status, delivery.last_error] == ["pending", "answered 302"]


def test_a_delivery_is_failed_once_the_retries_run_out(webhook, receiver, appointment):
    receiver.status = 500
    announce(appointment)
    for _ in range(2):
        make_due()
        webhook_deliveries_deliver()
    delivery = WebhookDelivery.objects.get()
    assert [delivery.status, delivery.attempts] == ["failed", 3]


def test_each_attempt_checks_the_address_again(webhook, receiver, appointment, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    announce(appointment)
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.last_error.startswith("refused:")


def test_the_connection_carries_the_host_name_it_resolved(receiver, admin_user, appointment):
    port = receiver.url.split(":")[2].split("/")[0]
    webhook_create(
        actor=admin_user, url=f"http://localhost:{port}/hooks", events=["appointment.booked"]
    )
    announce(appointment)
    assert receiver.requests[0]["headers"]["Host"] == f"localhost:{port}"


def test_an_unreachable_receiver_is_retried(receiver, admin_user, appointment):
    from notifications.tests.sinks import free_port

    webhook_create(
        actor=admin_user,
        url=f"http://127.0.0.1:{free_port()}/hooks",
        events=["appointment.booked"],
    )
    announce(appointment)
    delivery = WebhookDelivery.objects.get()
    assert [delivery.status, delivery.last_error] == [
        "pending",
        "unreachable: ConnectionRefusedError",
    ]


# --- the admin's list and redeliver ---------------------------------------------------------


def test_admins_list_a_webhooks_deliveries_newest_first(
    auth_client, admin_user, webhook, receiver, appointment
):
    announce(appointment)
    announce(appointment, event="cancelled")
    response = auth_client(admin_user).get(f"/api/admin-panel/webhooks/{webhook.pk}/deliveries/")
    types = [row["type"] for row in response.json()["results"]]
    assert types == ["appointment.cancelled", "appointment.booked"]


def test_the_deliveries_list_runs_a_fixed_number_of_queries(
    auth_client, admin_user, webhook, receiver, appointment, django_assert_num_queries
):
    client = auth_client(admin_user)
    url = f"/api/admin-panel/webhooks/{webhook.pk}/deliveries/"
    announce(appointment)
    # the admin, the audit entry, the webhook, the count, the page
    with django_assert_num_queries(5):
        client.get(url)
    announce(appointment, event="cancelled")
    with django_assert_num_queries(5):
        client.get(url)


def test_redeliver_sends_the_same_event_again_and_answers_the_row(
    auth_client, admin_user, webhook, receiver, appointment, django_capture_on_commit_callbacks
):
    announce(appointment)
    delivery = WebhookDelivery.objects.get()
    url = f"/api/admin-panel/webhooks/{webhook.pk}/deliveries/{delivery.pk}/redeliver/"
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(admin_user).post(url)
    assert [response.status_code, response.json()["status"]] == [200, "pending"]
    assert len({json.dumps(r["json"]) for r in receiver.requests}) == 1
    assert len(receiver.requests) == 2


def test_redeliver_of_another_webhooks_delivery_is_a_404(
    auth_client, admin_user, webhook, receiver, appointment
):
    announce(appointment)
    other = webhook_create(actor=admin_user, url=webhook.url, events=["appointment.booked"])
    delivery = WebhookDelivery.objects.exclude(webhook=other).get()
    url = f"/api/admin-panel/webhooks/{other.pk}/deliveries/{delivery.pk}/redeliver/"
    assert auth_client(admin_user).post(url).status_code == 404

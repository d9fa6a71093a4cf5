"""The daily task: idempotency records past 24 h, outbox rows past `NOTIFY_KEEP_DAYS`."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import IdempotencyRecord
from appointments.tests.factories import AppointmentFactory
from notifications.models import Notification, Webhook, WebhookDelivery
from notifications.tasks import prune

pytestmark = pytest.mark.django_db


def aged(model, days=0, hours=0, **fields):
    row = model.objects.create(**fields)
    when = timezone.now() - dt.timedelta(days=days, hours=hours)
    model.objects.filter(pk=row.pk).update(created_at=when)
    return row


@pytest.fixture
def appointment(patient):
    return AppointmentFactory(patient=patient)


@pytest.fixture
def webhook():
    return Webhook.objects.create(url="https://93.184.215.14/x", events=[], secret="whsec_x")


def test_notifications_older_than_notify_keep_days_are_pruned(appointment, settings):
    settings.NOTIFY_KEEP_DAYS = 90
    fields = {"user": appointment.patient, "appointment": appointment, "channel": "sms"}
    old = aged(Notification, days=91, event="booked", **fields)
    recent = aged(Notification, days=89, event="booked", **fields)
    prune()
    assert list(Notification.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Notification.objects.filter(pk=old.pk).exists()


def test_webhook_deliveries_older_than_notify_keep_days_are_pruned(webhook, settings):
    settings.NOTIFY_KEEP_DAYS = 30
    aged(WebhookDelivery, days=31, webhook=webhook, event_id="msg_old", type="t", body="{}")
    recent = aged(WebhookDelivery, days=29, webhook=webhook, event_id="msg_new", body="{}")
    prune()
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [recent.pk]


def test_idempotency_records_older_than_24_hours_are_pruned(patient):
    aged(IdempotencyRecord, hours=25, user=patient, key="old", fingerprint="x")
    recent = aged(IdempotencyRecord, hours=23, user=patient, key="new", fingerprint="x")
    prune()
    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_daily_prune_is_on_the_beat_schedule(settings):
    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks["notifications.tasks.prune"] == 24 * 60 * 60

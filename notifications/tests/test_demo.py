import io

import pytest
from django.core.management import call_command

from notifications.models import Notification, Webhook, WebhookDelivery

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_shows_sent_and_pending_notifications():
    seed()
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert {"sent", "pending"} <= statuses


def test_the_demo_has_one_webhook_with_a_succeeded_delivery():
    seed()
    assert [Webhook.objects.count(), WebhookDelivery.objects.get().status] == [1, "succeeded"]


def test_seeding_twice_adds_no_notification_or_webhook_the_second_time():
    seed()
    first = (Notification.objects.count(), Webhook.objects.count(), WebhookDelivery.objects.count())
    seed()
    assert (
        Notification.objects.count(),
        Webhook.objects.count(),
        WebhookDelivery.objects.count(),
    ) == first

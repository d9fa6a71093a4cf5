"""Reads of notification preferences and of the outbox."""

from django.db.models import QuerySet

from notifications.models import Notification, NotificationPreference, Webhook, WebhookDelivery


def preferences_get(*, user) -> NotificationPreference:
    """The user's preferences; an unsaved all-true row when they never changed them."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
        user=user
    )


def notification_list() -> QuerySet:
    """Every notification, newest first (admins only: the view checks the role)."""
    return Notification.objects.order_by("-created_at", "-id")


def webhook_list() -> QuerySet:
    """Every webhook, newest first (admins only: the view checks the role)."""
    return Webhook.objects.order_by("-created_at", "-id")


def webhook_delivery_list(*, webhook) -> QuerySet:
    """A webhook's deliveries, newest first."""
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")

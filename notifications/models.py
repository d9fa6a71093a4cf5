"""The notification outbox: one row per message to one user on one channel.

Rows are written in the same transaction as the change they announce (a rollback writes none)
and delivered afterwards by the task queue, which claims each row before sending it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from healthcare.db.constraints import choices_check
from users.models import one_row_per_user


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"


class Event(models.TextChoices):
    BOOKED = "booked", "Booked"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    REMINDER = "reminder", "Reminder"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class NotificationPreference(models.Model):
    """Which channels a user wants; no row means everything on (the contract's default)."""

    user = one_row_per_user(related_name="notification_preference")
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=True)
    reminders = models.BooleanField(default=True)

    def __str__(self):
        return f"preferences of user {self.user_id}"


# A notification as the admin list (API) and the Django admin show it.
NOTIFICATION_FIELDS = (
    "id",
    "created_at",
    "user",
    "channel",
    "event",
    "appointment",
    "status",
    "attempts",
    "last_error",
    "sent_at",
    "due_at",
)


class OutboxRow(models.Model):
    """What the task queue keeps on each row it delivers (a notification, a webhook delivery).

    `due_at` is when the row may go out (at once, or the next retry after a failure);
    `claimed_until` is the lease of the worker sending it, so no two workers ever send the same
    row (a crashed worker's lease runs out and the sweep retries).
    """

    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, default="")
    due_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


class Notification(OutboxRow):
    """One email or SMS to one user about one appointment; `pending` until a worker sends it.

    Its first `due_at` is now for events and the reminder time for reminders.
    """

    # No single-column index: (user, channel, sent_at) below leads with it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    event = models.CharField(max_length=20, choices=Event.choices)
    appointment = models.ForeignKey(
        "appointments.AppointmentBooking",
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta(OutboxRow.Meta):
        indexes = [
            # The outbox scan: pending rows by due time, nothing else (a small partial index).
            models.Index(
                fields=["due_at"],
                condition=Q(status="pending"),
                name="notif_pending_due_idx",
            ),
            models.Index(fields=["-created_at", "-id"], name="notif_created_idx"),
            # SMS per number per hour, and a user's own list.
            models.Index(fields=["user", "channel", "sent_at"], name="notif_user_channel_idx"),
            # Reminders of an appointment that stops being active are skipped at once.
            models.Index(fields=["appointment", "event"], name="notif_appointment_idx"),
        ]
        constraints = [
            choices_check("status", NotificationStatus, "notification_status_valid"),
            choices_check("channel", Channel, "notification_channel_valid"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.event} {self.channel} to user {self.user_id} ({self.status})"


class WebhookDeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


# `appointment.` + every event but the reminder (contract v1.1 "Notification precisions").
WEBHOOK_TYPES = tuple(f"appointment.{e.value}" for e in Event if e != Event.REMINDER)


class Webhook(models.Model):
    """An endpoint of the clinic's other systems that hears the appointment events it lists.

    `secret` is the Standard Webhooks signing key (`whsec_` + base64); it must be kept in
    clear to sign, is never shown after the create's answer, and never logged.
    """

    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    secret = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"webhook #{self.pk}"


# A delivery as the webhook's deliveries list (API) and the Django admin show it.
WEBHOOK_DELIVERY_FIELDS = (
    "id",
    "event_id",
    "type",
    "created_at",
    "status",
    "attempts",
    "last_status_code",
    "last_error",
    "delivered_at",
)


class WebhookDelivery(OutboxRow):
    """One event to one webhook; `body` is fixed when written, so a retry sends the same bytes.

    Claimed by a worker like a notification (`due_at`, `claimed_until`); `event_id` is the
    body's `id` and the `webhook-id` header, shared by the event's deliveries to every webhook.
    """

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event_id = models.CharField(max_length=64)
    type = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(
        max_length=10,
        choices=WebhookDeliveryStatus.choices,
        default=WebhookDeliveryStatus.PENDING,
    )
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(OutboxRow.Meta):
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(status="pending"),
                name="webhook_pending_due_idx",
            ),
            # A webhook's list, newest first.
            models.Index(
                fields=["webhook", "-created_at", "-id"], name="webhook_delivery_list_idx"
            ),
            models.Index(fields=["created_at"], name="webhook_delivery_created_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="webhook_event_once"),
            choices_check("status", WebhookDeliveryStatus, "webhook_delivery_status_valid"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.type} to webhook {self.webhook_id} ({self.status})"


class CalendarFeed(models.Model):
    """A user's secret calendar URL (`/api/calendar/<user id>.<secret>.ics`); rotating replaces
    the secret, and the old URL answers 404. The secret is random, compared in constant time."""

    user = one_row_per_user(related_name="calendar_feed")
    secret = models.CharField(max_length=64)
    rotated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"calendar feed of user {self.user_id}"

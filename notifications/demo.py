"""Demo data of the notifications app, called once by `manage.py seed_demo`.

The seed's bookings ahead already leave pending notifications (their reminders, and their
booking messages until a worker sends them); this adds the sent emails of the completed visits
in the seed's history, and one webhook with one succeeded delivery, so the admin's outbox and
webhook pages show each state. Idempotent: a second run adds nothing.
"""

from django.utils import timezone

from appointments.models import AppointmentBooking, AppointmentStatus
from notifications import webhooks
from notifications.models import (
    WEBHOOK_TYPES,
    Channel,
    Event,
    Notification,
    NotificationStatus,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
)
from notifications.services import appointment_start

# `.example` never resolves: its deliveries would fail and be retried, so the demo's one
# delivery is recorded as already delivered instead of being sent.
DEMO_WEBHOOK_URL = "https://hooks.demo-clinic.example/appointments"


def seed(*, step) -> None:
    """Sent emails of past visits, one webhook (all types) with a succeeded delivery."""
    seed_sent_notifications(step=step)
    seed_webhook(step=step)


def seed_sent_notifications(*, step) -> None:
    """A "completed" email, sent, for each completed visit of the history that has none."""
    visits = (
        AppointmentBooking.objects.filter(status=AppointmentStatus.COMPLETED, notifications=None)
        .exclude(patient__email="")
        .select_related("patient")
    )
    rows = [
        Notification(
            user=visit.patient,
            channel=Channel.EMAIL,
            event=Event.COMPLETED,
            appointment=visit,
            status=NotificationStatus.SENT,
            attempts=1,
            created_at=appointment_start(visit),
            due_at=appointment_start(visit),
            sent_at=appointment_start(visit),
        )
        for visit in visits
    ]
    Notification.objects.bulk_create(rows)
    if rows:
        step(f"notifications: {len(rows)} sent emails of past visits")


def seed_webhook(*, step) -> None:
    """The demo webhook and one succeeded delivery of the latest booking (once)."""
    if Webhook.objects.filter(url=DEMO_WEBHOOK_URL).exists():
        return
    # Made directly, not by `webhook_create`: its URL check would try to resolve the host.
    webhook = Webhook.objects.create(
        url=DEMO_WEBHOOK_URL, events=list(WEBHOOK_TYPES), secret=webhooks.secret_new()
    )
    latest = (
        AppointmentBooking.objects.select_related("patient", "doctor")
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is not None:
        from notifications.webhook_services import webhook_body

        event_id, body = webhook_body(kind="appointment.booked", appointment=latest)
        WebhookDelivery.objects.create(
            webhook=webhook,
            event_id=event_id,
            type="appointment.booked",
            body=body,
            status=WebhookDeliveryStatus.SUCCEEDED,
            attempts=1,
            last_status_code=200,
            delivered_at=timezone.now(),
        )
    step(f"webhook: {DEMO_WEBHOOK_URL} (one delivery)")

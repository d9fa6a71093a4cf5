"""Writes of webhooks: CRUD (audited), delivery rows in the change's transaction, sending.

Deliveries use the outbox machinery of the notifications (notifications/services.py): written
with the change, claimed atomically by one worker, retried after `NOTIFY_RETRY_SECONDS`, then
`failed`.
"""

import datetime as dt
import http.client
import json
import logging
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from healthcare.events import emit
from notifications import webhooks
from notifications.models import (
    Event,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryStatus,
)
from notifications.retries import retry_or_fail

logger = logging.getLogger(__name__)

# Sent one after another by one worker: a small batch keeps the claim's lease (below) longer
# than the batch can take with every receiver at its timeout (connect, then the answer).
WEBHOOK_BATCH_SIZE = 5
WEBHOOK_CLAIM_SECONDS = WEBHOOK_BATCH_SIZE * (2 * webhooks.TIMEOUT_SECONDS + 5)
# Left out of `data.appointment`: free text that may hold clinical detail (contract v1.1).
HIDDEN_FIELDS = ("notes", "cancellation_note")
INACTIVE = "the webhook is inactive"


# --- CRUD ------------------------------------------------------------------------------------


def _events_clean(events) -> list[str]:
    return list(dict.fromkeys(events))


@transaction.atomic
def webhook_create(*, actor, url: str, events: list[str], is_active: bool = True, secret=None):
    """A new webhook; the URL must pass the SSRF rule; a secret is generated when omitted."""
    webhooks.url_check(url)
    webhook = Webhook.objects.create(
        url=url,
        events=_events_clean(events),
        is_active=is_active,
        secret=secret or webhooks.secret_new(),
    )
    emit("webhook_created", actor=actor, obj=webhook, details=_audit_details(webhook))
    return webhook


@transaction.atomic
def webhook_update(*, actor, webhook: Webhook, data: dict) -> Webhook:
    """Change some of url, events, is_active, secret (the URL checked again when it changes)."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if "url" in data:
        webhooks.url_check(data["url"])
    changed = []
    for key in ("url", "events", "is_active", "secret"):
        if key in data:
            value = _events_clean(data[key]) if key == "events" else data[key]
            if getattr(webhook, key) != value:
                setattr(webhook, key, value)
                changed.append(key)
    if changed:
        webhook.save(update_fields=changed)
    # The secret's value never reaches the trail, only that it changed.
    emit("webhook_updated", actor=actor, obj=webhook, details={"changed": changed})
    return webhook


@transaction.atomic
def webhook_delete(*, actor, webhook: Webhook) -> None:
    """Delete the webhook and its deliveries."""
    details = _audit_details(webhook)
    pk = webhook.pk
    webhook.delete()
    emit("webhook_deleted", actor=actor, object_type="webhook", object_id=pk, details=details)


def _audit_details(webhook: Webhook) -> dict:
    return {"url": webhook.url, "events": webhook.events, "is_active": webhook.is_active}


# --- delivery rows (inside the change's transaction) -------------------------------------


def appointment_payload(appointment) -> dict:
    """The appointment as `GET /api/appointments/{id}/` shows it, without the free-text notes."""
    from appointments.serializers import AppointmentOutputSerializer

    data = AppointmentOutputSerializer(appointment).data
    return {key: value for key, value in data.items() if key not in HIDDEN_FIELDS}


def webhook_body(*, kind: str, appointment, now=None) -> tuple[str, str]:
    """A new event id and the JSON body `{id, type, created_at, data: {appointment}}`."""
    now = now or timezone.now()
    event_id = f"msg_{uuid.uuid4().hex}"
    body = json.dumps(
        {
            "id": event_id,
            "type": kind,
            "created_at": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "data": {"appointment": appointment_payload(appointment)},
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    return event_id, body


def webhook_deliveries_record(*, event: str, appointment) -> list[int]:
    """One delivery per active webhook listening to this event; their ids.

    The body is fixed now, in the change's transaction: the appointment as the change left it,
    and the same bytes on every retry. One query when no webhook exists.
    """
    if event == Event.REMINDER:
        return []
    kind = f"appointment.{event}"
    # A handful of rows: filtering the JSON list in Python works the same on both databases.
    active = Webhook.objects.filter(is_active=True).values_list("pk", "events")
    targets = [pk for pk, events in active if kind in events]
    if not targets:
        return []
    now = timezone.now()
    event_id, body = webhook_body(kind=kind, appointment=appointment, now=now)
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(webhook_id=pk, event_id=event_id, type=kind, created_at=now, body=body)
            for pk in targets
        ]
    )
    return [row.pk for row in rows]


# --- sending -------------------------------------------------------------------------------


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One POST, signed now: (status code or None, error text without secrets or addresses)."""
    timestamp = timezone.now()
    headers = {
        "webhook-id": delivery.event_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": webhooks.sign(
            secret=delivery.webhook.secret,
            msg_id=delivery.event_id,
            timestamp=timestamp,
            body=delivery.body,
        ),
    }
    try:
        status = webhooks.post(url=delivery.webhook.url, body=delivery.body, headers=headers)
    except webhooks.WebhookRefused as exc:
        return None, f"refused: {exc}"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, f"unreachable: {type(exc).__name__}"
    if 200 <= status < 300:
        return status, ""
    return status, f"answered {status}"


def webhook_deliveries_deliver(*, ids=None, limit: int = WEBHOOK_BATCH_SIZE) -> int:
    """Claim up to `limit` due deliveries (of `ids`, when given), POST them, record outcomes.

    A non-2xx answer (3xx included: no redirect is followed), a timeout or a refused address is
    retried after `NOTIFY_RETRY_SECONDS[attempt]`, then `failed`. How many rows were claimed.
    """
    from notifications.services import _claim

    claimed = _claim(ids=ids, limit=limit, model=WebhookDelivery, lease=WEBHOOK_CLAIM_SECONDS)
    if not claimed:
        return 0
    rows = list(WebhookDelivery.objects.filter(pk__in=claimed).select_related("webhook"))
    retries = settings.NOTIFY_RETRY_SECONDS
    retry_later: dict[int, list[int]] = {}
    try:
        for row in rows:
            row.claimed_until = None
            if not row.webhook.is_active:
                row.status = WebhookDeliveryStatus.FAILED
                row.last_error = INACTIVE
                continue
            row.attempts += 1
            status, error = _attempt(row)
            row.last_status_code = status
            row.last_error = error
            if not error:
                row.status = WebhookDeliveryStatus.SUCCEEDED
                row.delivered_at = timezone.now()
                continue
            retry_or_fail(row, retries, retry_later, WebhookDeliveryStatus.FAILED)
            logger.warning(
                "webhook delivery %s failed, attempt %s: %s", row.pk, row.attempts, error
            )
    finally:
        WebhookDelivery.objects.bulk_update(
            rows,
            [
                "status",
                "attempts",
                "last_status_code",
                "last_error",
                "delivered_at",
                "due_at",
                "claimed_until",
            ],
        )
    if retry_later:
        from notifications.queue import enqueue_webhooks

        for delay, pks in retry_later.items():
            enqueue_webhooks(pks, delay=delay)
    return len(claimed)


@transaction.atomic
def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """An admin's resend: pending again and due now, same event id and body."""
    from notifications.queue import enqueue_webhooks
    from notifications.services import requeue

    return requeue(
        WebhookDelivery,
        delivery.pk,
        pending=WebhookDeliveryStatus.PENDING,
        enqueue=enqueue_webhooks,
    )

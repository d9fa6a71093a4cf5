"""Handing delivery to the task queue, or running it in-process when there is no broker.

With `CELERY_BROKER_URL` (default `REDIS_URL`) set, delivery is a Celery task; a broker that
is down is logged and the rows stay `pending` for the sweep (an outage delays, never loses).
Without one (`make run`), delivery runs right here, after the commit.
"""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def uses_broker() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def enqueue_delivery(ids: list[int]) -> None:
    """Deliver these rows soon: a task on the broker, or now in-process."""
    if not ids:
        return
    if not uses_broker():
        from notifications.services import notifications_deliver

        try:
            notifications_deliver(ids=ids)
        except Exception:
            # The rows stay pending; the scheduler's sweep tries again.
            logger.exception("in-process delivery failed")
        return
    from notifications.tasks import deliver

    try:
        deliver.delay(list(ids))
    except Exception as exc:  # noqa: BLE001 (any broker failure: the sweep sends them later)
        logger.warning(
            "broker unavailable, %s notification(s) wait for the sweep: %s",
            len(ids),
            type(exc).__name__,
        )


def enqueue_retry(ids: list[int], delay: int) -> None:
    """Try these rows again after `delay` seconds (the sweep catches them if this is lost)."""
    if not uses_broker():
        return  # the in-process scheduler's sweep picks them up when due
    from notifications.tasks import deliver

    try:
        deliver.apply_async((list(ids),), countdown=delay)
    except Exception as exc:  # noqa: BLE001
        logger.warning("broker unavailable for a retry: %s", type(exc).__name__)


def enqueue_webhooks(ids: list[int], *, delay: int | None = None) -> None:
    """Send these webhook deliveries soon (or after `delay` seconds, a retry)."""
    if not ids:
        return
    if not uses_broker():
        if delay is not None:
            return  # the in-process scheduler's sweep picks them up when due
        from notifications.webhook_services import webhook_deliveries_deliver

        try:
            webhook_deliveries_deliver(ids=ids, limit=len(ids))
        except Exception:
            logger.exception("in-process webhook delivery failed")
        return
    from notifications.tasks import deliver_webhooks

    try:
        deliver_webhooks.apply_async((list(ids),), countdown=delay)
    except Exception as exc:  # noqa: BLE001 (any broker failure: the sweep sends them later)
        logger.warning("broker unavailable, webhook deliveries wait: %s", type(exc).__name__)

"""Handing delivery to the task queue, or running it in-process when there is no broker.

With `CELERY_BROKER_URL` (default `REDIS_URL`) set, delivery is a Celery task; a broker that
is down is logged and the rows stay `pending` for the sweep (an outage delays, never loses).
Without one (`make run`), delivery runs right here, after the commit.

On a Redis broker, new rows wake one `drain` rather than queue a task each: a commit queues a
drain only if none is queued and not yet started (a flag on the broker's Redis, set with
`SET NX`), and a drain clears the flag as it starts, before it reads the rows. A row committed
before that read is sent by that drain; one committed after it finds the flag clear and queues
the next. Under load, one broker message per drain instead of one per booking (0.6 ms of Python
per booking, bench/results.md). A drain lost after its flag was set delays the rows by at most
`WAKEUP_TTL` (or until the minute's sweep).
"""

import functools
import logging
from urllib.parse import urlsplit

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

WAKEUP_TTL = 60  # seconds


def _wakeup():
    """The Redis client and key of the queued-drain flag of this app's queue, or None when the
    broker is not Redis (then every commit queues its own task)."""
    from healthcare.celery import app

    url = app.conf.broker_url or settings.CELERY_BROKER_URL
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        return None
    return _client(url), f"healthcare:drain-queued:{app.conf.task_default_queue}"


@functools.lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def drain_started() -> None:
    """A drain is running: the next commit's rows need a drain of their own (called by the
    drain task before it reads anything)."""
    wakeup = _wakeup()
    if wakeup is None:
        return
    client, key = wakeup
    try:
        client.delete(key)
    except redis.RedisError as exc:
        # The flag then expires by itself (WAKEUP_TTL); this drain still runs.
        logger.warning("could not clear the queued-drain flag: %s", type(exc).__name__)


def uses_broker() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def enqueue_delivery(ids: list[int]) -> None:
    """Deliver these rows soon: a drain on the broker (unless one is queued already), or now
    in-process."""
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
    from notifications.tasks import deliver, drain

    wakeup = _wakeup()
    try:
        if wakeup is None:
            deliver.delay(list(ids))
            return
        client, key = wakeup
        if client.set(key, 1, nx=True, ex=WAKEUP_TTL):
            try:
                drain.delay()
            except Exception:
                client.delete(key)  # none is queued after all: the next commit tries again
                raise
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

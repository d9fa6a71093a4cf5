"""The periodic tasks without a broker: a small daemon thread in `make run`'s server.

Celery beat does this in production (`celery -A healthcare worker --beat`). `make run` sets
`NOTIFY_INPROCESS_SCHEDULER=1`; the thread starts only in the process that serves requests
(runserver's reloaded child), only when no broker is configured, and never in tests.
"""

import logging
import os
import sys
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

TICK_SECONDS = 15
PRUNE_EVERY_SECONDS = 24 * 60 * 60

_started = threading.Event()


def _serving_process() -> bool:
    # runserver's autoreloader runs the server in a child process with RUN_MAIN=true.
    return os.environ.get("RUN_MAIN") == "true" or "--noreload" in sys.argv


def start_if_wanted() -> bool:
    if not getattr(settings, "NOTIFY_INPROCESS_SCHEDULER", False) or settings.CELERY_BROKER_URL:
        return False
    if not _serving_process() or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_loop, name="notifications-scheduler", daemon=True).start()
    logger.info("notifications: in-process scheduler started (no CELERY_BROKER_URL)")
    return True


def tick(*, prune: bool) -> None:
    """One round: deliver what is due (reminders, retries), and prune when asked."""
    from django.db import close_old_connections

    from notifications import services

    close_old_connections()
    try:
        services.notifications_drain()
        if prune:
            services.daily_prune()
    finally:
        close_old_connections()


def _loop() -> None:
    last_prune = 0.0
    while True:
        now = time.monotonic()
        prune = now - last_prune >= PRUNE_EVERY_SECONDS
        try:
            tick(prune=prune)
            if prune:
                last_prune = now
        except Exception:
            logger.exception("notifications: scheduled delivery failed")
        time.sleep(TICK_SECONDS)

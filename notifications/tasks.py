"""Celery tasks of the outbox: deliver rows and webhooks, sweep what is due (every minute),
prune (daily)."""

from celery import shared_task

from notifications import queue, services

# How many drain tasks one sweep starts: each claims its own batches (SKIP LOCKED), so every
# worker process can share a backlog. More than the workers' processes only adds idle tasks.
SWEEP_FANOUT = 4


@shared_task(name="notifications.tasks.deliver")
def deliver(ids):
    """Send these rows if they are still pending and due (a duplicate task finds nothing)."""
    return services.notifications_deliver(ids=ids, limit=max(len(ids), 1))


@shared_task(name="notifications.tasks.deliver_webhooks")
def deliver_webhooks(ids):
    """POST these webhook deliveries if they are still pending and due."""
    from notifications.webhook_services import webhook_deliveries_deliver

    return webhook_deliveries_deliver(ids=ids, limit=max(len(ids), 1))


@shared_task(name="notifications.tasks.drain")
def drain():
    """Send due rows batch after batch until none is left (bounded in time); first, let the
    next commit queue another drain (notifications/queue.py)."""
    queue.drain_started()
    return services.notifications_drain()


@shared_task(name="notifications.tasks.sweep")
def sweep():
    """Every minute: start draining if anything is due (reminders, retries, missed enqueues)."""
    if not services.notifications_due_exist():
        return 0
    for _ in range(SWEEP_FANOUT):
        drain.delay()
    return SWEEP_FANOUT


@shared_task(name="notifications.tasks.prune")
def prune():
    """Daily: forget idempotency records past 24 h, notifications and webhook deliveries
    past `NOTIFY_KEEP_DAYS`."""
    return services.daily_prune()

"""The retry rule shared by notifications and webhook deliveries (both are `OutboxRow`s)."""

import datetime as dt

from django.utils import timezone


def retry_or_fail(row, retries, retry_later: dict[int, list[int]], failed_status: str) -> None:
    """After a failed attempt: due again in `retries[attempt - 1]` seconds (its id added to
    `retry_later` under that delay, for one enqueue per delay), or `failed_status` once the
    retries are spent."""
    if row.attempts <= len(retries):
        delay = retries[row.attempts - 1]
        row.due_at = timezone.now() + dt.timedelta(seconds=delay)
        retry_later.setdefault(delay, []).append(row.pk)
    else:
        row.status = failed_status

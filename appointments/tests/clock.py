"""Pin the clinic clock in tests: "now" is a fixed local wall-clock time on the real today."""

import datetime as dt

from django.utils import timezone


def freeze_local_time(monkeypatch, hour: int, minute: int = 0, *, days: int = 0) -> dt.datetime:
    """Make `timezone.now()` (and so `localdate()`/`localtime()`) return today+days at hh:mm."""
    today = timezone.localdate() + dt.timedelta(days=days)
    frozen = timezone.make_aware(dt.datetime.combine(today, dt.time(hour, minute)))
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen


def freeze_at(monkeypatch, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Make `timezone.now()` return `day` at hh:mm, clinic wall-clock time."""
    frozen = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen

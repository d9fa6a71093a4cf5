"""The clinic's clock and booking policy: when a slot starts, and what may be booked or cancelled.

Schedule dates and times are wall-clock times in the clinic's zone (`TIME_ZONE`); a slot's
instants come from zoneinfo, so a week spanning a DST change gets each day's own offset. The
policy settings (`BOOKING_MIN_NOTICE_MINUTES`, `BOOKING_HORIZON_DAYS`, `CANCEL_CUTOFF_MINUTES`)
are read here only, on every call (tests override them).
"""

import datetime as dt
import functools

from django.conf import settings
from django.utils import timezone

from doctors.slots import SLOT_MINUTES


def _instant(wall: dt.datetime, zone=None) -> dt.datetime:
    """A clinic wall-clock time as an aware instant, shown as the clinic's clocks show it.

    The round trip through UTC normalises a wall time that a DST jump skips (01:30 when clocks
    go from 01:00 to 02:00 is read with the earlier offset, and shown as 02:30).
    """
    zone = zone or timezone.get_current_timezone()
    return wall.replace(tzinfo=zone).astimezone(dt.UTC).astimezone(zone)


def _slot_walls(date: dt.date, time: dt.time) -> tuple[dt.datetime, dt.datetime]:
    """A slot's start and end on the clinic's wall clock: the end 30 wall-clock minutes later."""
    start = dt.datetime.combine(date, time)
    return start, start + dt.timedelta(minutes=SLOT_MINUTES)


def _kept_per_slot(function):
    """`function(date, time, zone)` worked out once per (date, time, zone) and kept: a slot's
    instants follow from those alone (the zone's rules don't change while the process runs), and
    the slot list asks them of the same few hundred slots on every request. The zone is part of
    the key, so activating another one (or a test overriding TIME_ZONE) never reads the old
    zone's answers. A folded time (the second of a repeated hour) is never kept: times compare
    equal whatever their fold, so the key can't tell it apart (schedule times never have it)."""
    kept = functools.lru_cache(maxsize=4096)(function)

    @functools.wraps(function)
    def call(date: dt.date, time: dt.time, zone):
        return function(date, time, zone) if time.fold else kept(date, time, zone)

    return call


def slot_starts_at(date: dt.date, time: dt.time, zone=None) -> dt.datetime:
    """The aware instant a slot starts: its date and wall-clock time in the clinic's zone
    (`zone`, when the caller asking of many slots looked it up once)."""
    return _slot_starts_in(date, time, zone or timezone.get_current_timezone())


@_kept_per_slot
def _slot_starts_in(date: dt.date, time: dt.time, zone) -> dt.datetime:
    return _instant(_slot_walls(date, time)[0], zone)


def slot_ends_at(date: dt.date, time: dt.time) -> dt.datetime:
    """The aware instant a slot ends: 30 wall-clock minutes after its start (clinic's zone)."""
    return _instant(_slot_walls(date, time)[1])


def slot_instants_out(date: dt.date, time: dt.time, zone=None) -> tuple[str, str]:
    """A slot's `starts_at` and `ends_at` as the API writes them (`instant_out` of
    `slot_starts_at` and `slot_ends_at`), looking the zone up once: lists write thousands (and
    may pass `zone`, looked up once for all their rows)."""
    return _slot_instants_out_in(date, time, zone or timezone.get_current_timezone())


@_kept_per_slot
def _slot_instants_out_in(date: dt.date, time: dt.time, zone) -> tuple[str, str]:
    start, end = _slot_walls(date, time)
    return _instant(start, zone).isoformat(), _instant(end, zone).isoformat()


def instant_out(value: dt.datetime) -> str:
    """ISO 8601 with the clinic's UTC offset (`2026-12-06T09:30:00+06:00`; `+00:00`, never `Z`)."""
    return value.astimezone(timezone.get_current_timezone()).isoformat()


def min_notice() -> dt.timedelta:
    return dt.timedelta(minutes=settings.BOOKING_MIN_NOTICE_MINUTES)


def cancel_cutoff() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CANCEL_CUTOFF_MINUTES)


def horizon_date(today: dt.date | None = None) -> dt.date:
    """The last bookable date: today + `BOOKING_HORIZON_DAYS` (both ends count)."""
    return (today or timezone.localdate()) + dt.timedelta(days=settings.BOOKING_HORIZON_DAYS)


def bookable_after(*, with_notice: bool, now: dt.datetime | None = None) -> dt.datetime:
    """The instant a bookable slot must start after: now, plus the minimum notice for patients."""
    now = now or timezone.now()
    return now + min_notice() if with_notice else now


def clinic_info() -> dict:
    """The clinic as `GET /api/clinic/` shows it."""
    return {
        "name": settings.CLINIC_NAME,
        "time_zone": settings.TIME_ZONE,
        "slot_minutes": SLOT_MINUTES,
        "currency": settings.CURRENCY,
        "booking": {
            "min_notice_minutes": settings.BOOKING_MIN_NOTICE_MINUTES,
            "horizon_days": settings.BOOKING_HORIZON_DAYS,
            "cancel_cutoff_minutes": settings.CANCEL_CUTOFF_MINUTES,
        },
    }

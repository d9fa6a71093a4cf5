"""The slot grid: a schedule holds 30-minute slots from its start that end by its end.

Every rule about where a slot may start lives here: as Python functions for one schedule, and as
ORM expressions (`slots_after`) for queries over many, which Django writes for each database.
"""

import datetime as dt
import functools

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Cast, ExtractHour, ExtractMinute

SLOT_MINUTES = 30


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def slot_times(start_time: dt.time, end_time: dt.time) -> list[dt.time]:
    """Every slot start of a schedule from `start_time` to `end_time`."""
    return list(slot_grid(start_time, end_time))


@functools.lru_cache(maxsize=1024)
def slot_grid(start_time: dt.time, end_time: dt.time) -> tuple[dt.time, ...]:
    """`slot_times` as a tuple, worked out once per pair of bounds: the slot list walks every
    schedule's grid on each request, and schedules share a few bounds."""
    start, end = _minutes(start_time), _minutes(end_time)
    return tuple(
        dt.time(m // 60, m % 60) for m in range(start, end - SLOT_MINUTES + 1, SLOT_MINUTES)
    )


def is_slot_start(start_time: dt.time, end_time: dt.time, t: dt.time) -> bool:
    """Whether `t` starts a slot of the schedule (on its grid and ending by its end)."""
    if t.second or t.microsecond:
        return False
    offset = _minutes(t) - _minutes(start_time)
    return (
        offset >= 0
        and offset % SLOT_MINUTES == 0
        and _minutes(t) + SLOT_MINUTES <= _minutes(end_time)
    )


def has_room_for_a_slot(start_time: dt.time, end_time: dt.time) -> bool:
    return _minutes(end_time) - _minutes(start_time) >= SLOT_MINUTES


def _minutes_of(column: str):
    """Minutes since midnight of a time column, as an integer expression."""
    return Cast(ExtractHour(column), IntegerField()) * 60 + Cast(
        ExtractMinute(column), IntegerField()
    )


def slots_after(moment: dt.datetime, *, date="date", start="start_time", end="end_time"):
    """How many slots of a schedule (its `date`, `start`, `end` columns) start after `moment`.

    A local (clinic) datetime. Schedules dated before its date hold none; on its date the slots
    that started by then are taken off the grid's count; later dates hold all of theirs.
    Integer division on both databases; may go negative for a schedule over by then.
    """
    total = (_minutes_of(end) - _minutes_of(start)) / SLOT_MINUTES
    minute = moment.hour * 60 + moment.minute
    started = (Value(minute) - _minutes_of(start)) / SLOT_MINUTES + 1
    return Case(
        When(**{f"{date}__lt": moment.date()}, then=Value(0)),
        When(
            **{f"{date}": moment.date()},
            then=Case(
                When(
                    **{f"{start}__lte": dt.time(moment.hour, moment.minute)}, then=total - started
                ),
                default=total,
            ),
        ),
        default=total,
        output_field=IntegerField(),
    )


def may_hold_a_slot_after(moment: dt.datetime, *, date="date", end="end_time") -> Q:
    """ORM condition on a schedule: dated after `moment`'s date, or on it and ending late enough
    for a slot to start after `moment` (a local datetime) and end by the schedule's end.

    Necessary, not sufficient (`slots_after` counts exactly): two column comparisons that let
    the database skip a day's schedules that are over before it computes anything for them.
    """
    # The range comes first and on its own: the (doctor, date) index bounds the scan by it.
    from_then = Q(**{f"{date}__gte": moment.date()})
    later = Q(**{f"{date}__gt": moment.date()})
    minute = dt.datetime.combine(moment.date(), dt.time(moment.hour, moment.minute))
    slot_end = minute + dt.timedelta(minutes=SLOT_MINUTES)
    if slot_end.date() != moment.date():
        # A slot starting after then would end past midnight: none on that date.
        return from_then & later
    return from_then & (later | Q(**{f"{end}__gt": slot_end.time()}))

"""The slot grid: a schedule holds 30-minute slots from its start that end by its end.

Pure functions with no database access; every rule about where a slot may start lives here.
"""

import datetime as dt

SLOT_MINUTES = 30
SLOT = dt.timedelta(minutes=SLOT_MINUTES)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def slot_times(start_time: dt.time, end_time: dt.time) -> list[dt.time]:
    """Every slot start of a schedule from `start_time` to `end_time`."""
    start, end = _minutes(start_time), _minutes(end_time)
    return [dt.time(m // 60, m % 60) for m in range(start, end - SLOT_MINUTES + 1, SLOT_MINUTES)]


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

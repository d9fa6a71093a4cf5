"""What takes slots away from a doctor's schedules: time off, clinic closures, and (for generated
schedules) the current weekly hours. The rule's one home.

Everything here is clinic wall-clock time: a date and minutes since its midnight (a DST day is
cut on its wall clock like any other). Services trim unbooked schedules around time off and
closures (`free_pieces`) and generation lays nothing under them; a schedule that holds active
bookings keeps its id and bounds, and `DayRules.slot_open` says which of its free slots are
still offered: the slot list and the booking both ask it.
"""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, IntegerField, OuterRef, Q
from django.db.models.functions import Cast, ExtractIsoWeekDay

from doctors.models import ClinicClosure, ScheduleSource, TimeOff, WorkingHours
from doctors.slots import SLOT_MINUTES
from healthcare.db import prepared
from healthcare.db.raw import column_converter, table
from healthcare.db.router import read_connection

DAY_MINUTES = 24 * 60

Interval = tuple[int, int]


def minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _time(m: int) -> dt.time:
    return dt.time(m // 60, m % 60)


def span_by_date(
    date_from: dt.date, date_to: dt.date, start_time: dt.time | None, end_time: dt.time | None
) -> dict[dt.date, Interval]:
    """A span (time off) as the interval it takes on each of its dates."""
    result = {}
    date = date_from
    while date <= date_to:
        start = minutes(start_time) if date == date_from and start_time is not None else 0
        end = minutes(end_time) if date == date_to and end_time is not None else DAY_MINUTES
        if end > start:
            result[date] = (start, end)
        date += dt.timedelta(days=1)
    return result


def _inside_one(first: int, last: int, intervals) -> bool:
    # Plain loops: the slot list asks these of every free slot, and any() over a generator
    # costs 6x as much (456 against 72 ns for two intervals, timeit).
    for start, end in intervals:  # noqa: SIM110
        if start <= first and last <= end:
            return True
    return False


def _overlaps_one(first: int, last: int, intervals) -> bool:
    for start, end in intervals:  # noqa: SIM110 (as above)
        if first < end and start < last:
            return True
    return False


def within_hours(interval: Interval, hours) -> bool:
    """Whether `interval` lies inside one of the `hours` intervals: "inside the current hours".

    `schedule_within_current_hours` asks the same of a whole schedule in SQL.
    """
    return _inside_one(interval[0], interval[1], hours)


def slot_is_blocked(time: dt.time, blocked) -> bool:
    """Whether the 30-minute slot starting at `time` overlaps any of the `blocked` intervals."""
    start = minutes(time)
    return _overlaps_one(start, start + SLOT_MINUTES, blocked)


def free_pieces(start: dt.time, end: dt.time, blocked) -> list[tuple[dt.time, dt.time]] | None:
    """A schedule trimmed or split around `blocked` on its own 30-minute grid.

    None when no slot of it is blocked (leave it as it is); otherwise the runs of consecutive
    open slots, each as (start, end) (an empty list: nothing of it stays).
    """
    first, last = minutes(start), minutes(end)
    slots = list(range(first, last - SLOT_MINUTES + 1, SLOT_MINUTES))
    open_slots = [m for m in slots if not slot_is_blocked(_time(m), blocked)]
    if len(open_slots) == len(slots):
        return None
    pieces: list[list[int]] = []
    for m in open_slots:
        if pieces and pieces[-1][1] == m:
            pieces[-1][1] = m + SLOT_MINUTES
        else:
            pieces.append([m, m + SLOT_MINUTES])
    return [(_time(a), _time(b)) for a, b in pieces]


def blocked_intervals(
    *, doctor_ids, date_from: dt.date, date_to: dt.date
) -> dict[tuple[int, dt.date], list[Interval]]:
    """For each (doctor, date) in range, the intervals its time off and the clinic's closures
    take away; two queries."""
    doctor_ids = list(doctor_ids)
    result: dict[tuple[int, dt.date], list[Interval]] = defaultdict(list)
    if not doctor_ids or date_from > date_to:
        return result
    rows = TimeOff.objects.filter(
        doctor_id__in=doctor_ids, date_from__lte=date_to, date_to__gte=date_from
    ).values_list("doctor_id", "date_from", "date_to", "start_time", "end_time")
    for doctor_id, span_from, span_to, start_time, end_time in rows.order_by():
        for date, interval in span_by_date(span_from, span_to, start_time, end_time).items():
            if date_from <= date <= date_to:
                result[(doctor_id, date)].append(interval)
    closed = ClinicClosure.objects.filter(date__gte=date_from, date__lte=date_to)
    for date in closed.values_list("date", flat=True).order_by():
        for doctor_id in doctor_ids:
            result[(doctor_id, date)].append((0, DAY_MINUTES))
    return result


@dataclass
class DayRules:
    """What a doctor's date allows: intervals taken away, and the weekday's current hours (for
    generated schedules; None when not read because no generated schedule asks)."""

    blocked: list[Interval] = field(default_factory=list)
    hours: list[Interval] | None = None

    def slot_open(self, time: dt.time, *, source: str) -> bool:
        """Whether a free slot of a schedule (of this `source`) starting at `time` is offered."""
        # `slot_is_blocked` and `within_hours` with the slot's minutes worked out once.
        start = minutes(time)
        if _overlaps_one(start, start + SLOT_MINUTES, self.blocked):
            return False
        if self.hours is not None and source == ScheduleSource.WEEKLY:
            return _inside_one(start, start + SLOT_MINUTES, self.hours)
        return True


TIME_OFF, CLOSURE = -1, -2


# Written out (healthcare/db/raw.py): the ORM spent longer building this UNION of three
# annotated querysets than the database spends running it, and both the slots list and booking
# read it on every request (the A/B: bench/results.md).
_RULE_ROWS_SQL = """SELECT {time_off_kind}, date_from, date_to, start_time, end_time
FROM {time_off} WHERE doctor_id = %s AND date_from <= %s AND date_to >= %s
UNION ALL
SELECT {closure_kind}, date, date, NULL, NULL FROM {closure} WHERE date >= %s AND date <= %s"""
_HOURS_ROWS_SQL = """
UNION ALL
SELECT weekday, NULL, NULL, start_time, end_time FROM {hours} WHERE doctor_id = %s"""


def rule_rows_sql(
    reader, *, doctor_id: int, date_from: dt.date, date_to: dt.date, with_hours: bool
) -> tuple[str, list]:
    """The SQL (UNION ALL) of the doctor's time off and the closures in range, and their weekly
    hours when asked, with its parameters for the connection `reader`: rows of (kind,
    date_from, date_to, start, end), `kind` being `TIME_OFF`, `CLOSURE`, or the weekday of an
    hours row. Run on its own (`day_rules`) or inside another query (the slot list's, which
    reads them with the schedules in one round trip); `rules_from_rows` reads the rows."""
    day_from = reader.ops.adapt_datefield_value(date_from)
    day_to = reader.ops.adapt_datefield_value(date_to)
    params = [doctor_id, day_to, day_from, day_from, day_to]
    if with_hours:
        params.append(doctor_id)
    return _rule_rows_text(reader.vendor, with_hours), params


@functools.cache
def _rule_rows_text(vendor: str, with_hours: bool) -> str:
    # Per database, formatted once: only quoted table names go in, never a value.
    sql = _RULE_ROWS_SQL.format(
        time_off_kind=TIME_OFF,
        closure_kind=CLOSURE,
        time_off=table(TimeOff),
        closure=table(ClinicClosure),
    )
    if with_hours:
        sql += _HOURS_ROWS_SQL.format(hours=table(WorkingHours))
    return sql


def rules_from_rows(
    rows, *, date_from: dt.date, date_to: dt.date, with_hours: bool
) -> dict[dt.date, DayRules]:
    """The `DayRules` of each date in range (a date absent: nothing blocked) from the raw rows
    of `rule_rows_sql`. Hours rows are left out unless `with_hours`."""
    # The ORM's conversions of the raw values (SQLite returns dates and times as text).
    as_date = column_converter(TimeOff, "date_from") or (lambda value: value)
    as_time = column_converter(TimeOff, "start_time") or (lambda value: value)
    blocked: dict[dt.date, list[Interval]] = defaultdict(list)
    week: dict[int, list[Interval]] = defaultdict(list)
    for kind, d1, d2, t1, t2 in rows:
        if kind == CLOSURE:
            blocked[as_date(d1)].append((0, DAY_MINUTES))
        elif kind == TIME_OFF:
            spans = span_by_date(as_date(d1), as_date(d2), as_time(t1), as_time(t2))
            for date, interval in spans.items():
                blocked[date].append(interval)
        elif with_hours:
            week[kind].append((minutes(as_time(t1)), minutes(as_time(t2))))
    rules = {}
    date = date_from
    while date <= date_to:
        intervals = blocked.get(date, [])
        if intervals or with_hours:
            rules[date] = DayRules(
                blocked=intervals, hours=week.get(date.weekday(), []) if with_hours else None
            )
        date += dt.timedelta(days=1)
    return rules


def day_rules(
    *, doctor_id: int, date_from: dt.date, date_to: dt.date, with_hours: bool
) -> dict[dt.date, DayRules]:
    """The `DayRules` of each of a doctor's dates in range (a date absent: nothing blocked);
    one query.

    `with_hours` reads the weekly hours too (for generated schedules holding bookings).
    """
    # A read: the replica when the request may use it (the router's rule), else the primary
    # (always inside a transaction, as a booking's check under its schedule lock is).
    reader = read_connection()
    sql, params = rule_rows_sql(
        reader, doctor_id=doctor_id, date_from=date_from, date_to=date_to, with_hours=with_hours
    )
    with reader.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        rows = cursor.fetchall()
    return rules_from_rows(rows, date_from=date_from, date_to=date_to, with_hours=with_hours)


def schedule_overlaps_a_block() -> Exists:
    """ORM condition on a schedule row: time off of its doctor or a closure overlaps it.

    The directory's `available` leaves such schedules out (they hold bookings, as unbooked ones
    are trimmed): a doctor whose only free slots sit beside time off on a booked schedule is
    shown as unavailable rather than one with no bookable slot as available.
    """
    time_off = TimeOff.objects.filter(
        Q(date_from__lt=OuterRef("date"))
        | Q(start_time__isnull=True)
        | Q(start_time__lt=OuterRef("end_time")),
        Q(date_to__gt=OuterRef("date"))
        | Q(end_time__isnull=True)
        | Q(end_time__gt=OuterRef("start_time")),
        doctor_id=OuterRef("doctor_id"),
        date_from__lte=OuterRef("date"),
        date_to__gte=OuterRef("date"),
    )
    return Exists(time_off) | Exists(ClinicClosure.objects.filter(date=OuterRef("date")))


def schedule_within_current_hours() -> Q:
    """ORM condition on a schedule row: manual, or generated and inside one of its doctor's
    current weekly hours intervals on its weekday (`within_hours`, asked of the whole schedule).

    The directory's `available` keeps only these: a generated schedule outside the hours is one
    regeneration kept for its bookings, and its free slots outside the hours are not offered.
    Asked of the whole schedule, not slot by slot, so a kept schedule partly inside the hours
    (or across two touching intervals) counts for nothing: conservative, as for time off. The
    directory needs it in SQL: it asks it of every doctor a page filters, in one query.
    """
    inside = WorkingHours.objects.filter(
        doctor_id=OuterRef("doctor_id"),
        # ISO weekdays run 1 = Monday … 7 = Sunday; `weekday` 0 = Monday … 6 = Sunday.
        weekday=Cast(ExtractIsoWeekDay(OuterRef("date")), IntegerField()) - 1,
        start_time__lte=OuterRef("start_time"),
        end_time__gte=OuterRef("end_time"),
    )
    return ~Q(source=ScheduleSource.WEEKLY) | Exists(inside)

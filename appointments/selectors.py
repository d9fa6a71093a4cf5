"""Reads of bookings, including the ones other apps need (does a schedule hold bookings?)."""

import datetime as dt
import functools
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from appointments.filters import AppointmentFilter
from appointments.models import ACTIVE_LITERAL_Q, ACTIVE_Q, ACTIVE_STATUSES, AppointmentBooking
from doctors.availability import (
    rule_rows_sql,
    rules_from_rows,
    schedule_overlaps_a_block,
    schedule_within_current_hours,
    slot_is_blocked,
)
from doctors.models import DoctorDetail, DoctorSchedule, ScheduleSource
from doctors.public import public_doctor_sql
from doctors.slots import may_hold_a_slot_after, slot_grid, slots_after
from healthcare import clinic
from healthcare.db import prepared
from healthcare.db.raw import literals, table
from healthcare.db.router import read_connection


def active_booking_times_by_schedule(*, schedule_ids) -> dict[int, list[tuple[dt.date, dt.time]]]:
    """For each schedule id, the (date, time) of every active booking it holds; one query."""
    result: dict[int, list[tuple[dt.date, dt.time]]] = defaultdict(list)
    if not schedule_ids:
        return result
    rows = (
        AppointmentBooking.objects.filter(ACTIVE_Q, schedule_id__in=list(schedule_ids))
        .values_list("schedule_id", "appointment_date", "appointment_time")
        .order_by()
    )
    for schedule_id, date, time in rows:
        result[schedule_id].append((date, time))
    return result


def schedules_with_free_slot(*, after: dt.datetime, until: dt.date | None = None) -> QuerySet:
    """Schedules with a free slot starting after `after` (a local datetime), dated by `until`
    (when given); one query.

    Per schedule: its slots starting after then (`slots_after`, the grid's own expression)
    outnumber its active bookings starting after then. Bookings only ever sit on slot starts of
    their schedule (the booking rules), so the counts compare like with like.
    """
    # A booking's date is its schedule's (the booking rules), and the schedules asked are dated
    # from `after`'s date on: only on that date does the time decide. Asked this way, and counted
    # as `*`, the count reads the partial unique index on (schedule, time) alone (an index-only
    # scan); by the booking's own date it read every booking row: the directory's `available`
    # page, with `may_hold_a_slot_after`, 31 → 17 ms of SQL for 1,930 doctors (bench/results.md).
    # The statuses as literals: the directory prepares this query (on the bench's "available"
    # page of one specialization and city: 0.63 -> 0.47 ms per execution).
    booked_after = (
        AppointmentBooking.objects.filter(ACTIVE_LITERAL_Q, schedule_id=OuterRef("pk"))
        .filter(Q(appointment_time__gt=after.time()) | GreaterThan(OuterRef("date"), after.date()))
        .order_by()
        .values("schedule_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    # A schedule that time off or a closure overlaps, or a generated one outside the current
    # hours, holds bookings (unbooked ones are trimmed or regenerated): left out, so `available`
    # never promises a slot that is not offered (doctors/availability.py).
    schedules = (
        DoctorSchedule.objects.filter(may_hold_a_slot_after(after))
        .filter(schedule_within_current_hours())
        .exclude(schedule_overlaps_a_block())
    )
    if until is not None:
        schedules = schedules.filter(date__lte=until)
    return schedules.annotate(free=slots_after(after) - Coalesce(Subquery(booked_after), 0)).filter(
        free__gt=0
    )


def free_future_slot_sql() -> tuple[str, tuple]:
    """SQL and its parameters, for an outer query on the user table (by its table name, not an
    alias): has the doctor a free slot a patient can book now (minimum notice and horizon)?

    `schedules_with_free_slot` compiled by the ORM; tests pin it against the slot list on
    SQLite and PostgreSQL.
    """
    # Slots and bookings start on whole minutes, so "after then" and "after the minute it falls
    # in began" pick the same ones: the query compiles once a minute, not on every request
    # (compiling it cost more than the rest of the directory's request, bench/results.md).
    now = timezone.now()
    after = timezone.localtime(clinic.bookable_after(with_notice=True, now=now))
    until = clinic.horizon_date(timezone.localdate(now))
    return _free_slot_sql_at(connection.alias, after.replace(second=0, microsecond=0), until)


@functools.lru_cache(maxsize=4)
def _free_slot_sql_at(alias: str, after: dt.datetime, until: dt.date) -> tuple[str, tuple]:
    # Correlated with the outer query's doctor, so the database tests only the doctors the
    # directory's other filters let through, each along the (doctor, date) index.
    outer_id = RawSQL(f"{table(get_user_model())}.id", ())  # noqa: S611 (a quoted table name)
    schedules = schedules_with_free_slot(after=after, until=until).filter(doctor_id=outer_id)
    sql, params = schedules.order_by().values("id").query.sql_with_params()
    # PostgreSQL: `OFFSET 0` keeps the EXISTS a per-doctor probe. Left to itself the planner
    # may turn it into a merge semi join over every schedule of the horizon, each through the
    # free-slot filter: 201 ms instead of 15 for the "available now" page, depending only on
    # the statistics a fresh ANALYZE sampled (bench/results.md). The probe's cost estimate
    # then exceeds the JIT threshold: the backend turns JIT off (healthcare/db/postgresql).
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    # Only Django's compiled SQL and a quoted table name are formatted in; values are parameters.
    return f"EXISTS ({sql}{fence})", tuple(params)


# A doctor's schedules in a date range, each with the slot times its active bookings hold (one
# row per booking, or one with NULL for a schedule without any): the partial unique index
# on (schedule, time) decides what "taken" means, so the join follows it. Hand-written
# (healthcare/db/raw.py): the two ORM queries this replaces cost five times their run time to build.
# Then, in the same round trip, the offered-slot rule's rows (doctors/availability.py's own SQL:
# time off, closures, weekly hours), told apart by a NULL source (schedules always have one).
# One query instead of two: in-process A/B on the bench data, 3 alternating runs of 3,000
# requests, median Python CPU per request 1.45 -> 1.36 ms (weekly hours), 1.40 -> 1.30 ms
# (manual), PostgreSQL's backend CPU per request unchanged (0.68 / 0.67 ms): the UNION costs
# PostgreSQL ~0.12 ms more to plan than the two statements alone (a tight loop of each), about
# what the second statement's round trip cost it.
_SLOT_ROWS_SQL = """SELECT s.id, s.date, NULL, s.start_time, s.end_time, s.source,
b.appointment_time
FROM {schedule} s{public_join}
LEFT OUTER JOIN {booking} b ON b.schedule_id = s.id AND b.status IN ({active})
WHERE s.doctor_id = %s AND s.date >= %s AND s.date <= %s{public_where}
UNION ALL
SELECT r.*, NULL, NULL FROM ({rules}) r"""
# `public_only`: the schedule's doctor is one the public directory lists.
_PUBLIC_JOIN = """
INNER JOIN {user} u ON u.id = s.doctor_id
INNER JOIN {detail} d ON d.doctor_id = s.doctor_id"""


@functools.lru_cache(maxsize=8)
def _slot_rows_text(vendor: str, public_only: bool, rules_sql: str) -> str:
    # Per database and kind, formatted once: only quoted table names, the rules' own SQL, the
    # active statuses (the code's constants) and placeholders go in, never an input value.
    return _SLOT_ROWS_SQL.format(
        schedule=table(DoctorSchedule),
        booking=table(AppointmentBooking),
        active=literals(ACTIVE_STATUSES),
        public_join=_PUBLIC_JOIN.format(user=table(get_user_model()), detail=table(DoctorDetail))
        if public_only
        else "",
        public_where=f" AND {public_doctor_sql('u', 'd')[0]}" if public_only else "",
        rules=rules_sql,
    )


def doctor_slot_list(
    *,
    doctor_id: int,
    date_from: dt.date,
    date_to: dt.date,
    public_only: bool = False,
    with_notice: bool = False,
    available: bool | None = None,
) -> list[dict]:
    """Every slot of the doctor's schedules in [date_from, date_to] that can still be booked.

    Each `{schedule, date, time, available}`, taken ones `available: False` (`available` keeps
    only one kind), by date and time; one query whatever the range. A slot is listed if it starts
    after now (after now + the minimum notice `with_notice`, as patients are shown) and is dated
    by the booking horizon. `public_only` counts only the schedules of a doctor the public
    directory lists (active, verified): an empty list then means "no slots" or "no such public
    doctor", for the caller to tell apart.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    after = clinic.bookable_after(with_notice=with_notice, now=now)
    # Dates before the first bookable one hold no bookable slot, nor do those past the
    # horizon: not even read.
    first_day = max(date_from, timezone.localdate(after))
    date_to = min(date_to, clinic.horizon_date(today))
    if first_day > date_to:
        return []
    reader = read_connection()
    ops = reader.ops
    # The hours are read whatever the schedules (a few rows), and used only if a generated
    # schedule holds a booking, as `day_rules(with_hours=...)` would read them.
    rules_sql, rules_params = rule_rows_sql(
        reader, doctor_id=doctor_id, date_from=first_day, date_to=date_to, with_hours=True
    )
    params = [
        doctor_id,
        ops.adapt_datefield_value(first_day),
        ops.adapt_datefield_value(date_to),
    ]
    if public_only:
        params += public_doctor_sql("u", "d")[1]
    params += rules_params
    sql = _slot_rows_text(reader.vendor, public_only, rules_sql)
    with reader.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        rows = cursor.fetchall()
    schedules = {}
    taken = set()
    rule_rows = []
    for schedule_id, date, date_to_or_none, start_time, end_time, source, booked_time in rows:
        if source is None:
            rule_rows.append((schedule_id, date, date_to_or_none, start_time, end_time))
            continue
        schedules[schedule_id] = (date, start_time, end_time, source)
        if booked_time is not None:
            taken.add((schedule_id, booked_time))
    if not schedules:
        return []
    # Free slots under time off or a closure (or, on a generated schedule kept for its
    # bookings, outside the current hours) are not offered: the rule's home decides.
    booked_weekly = any(
        schedules[schedule_id][3] == ScheduleSource.WEEKLY for schedule_id, _ in taken
    )
    rules = rules_from_rows(
        rule_rows, date_from=first_day, date_to=date_to, with_hours=booked_weekly
    )
    # Tuples sorted as they are (date, time, schedule: unique, so `free` never decides), then
    # made dicts: cheaper than sorting the dicts by a key function.
    slots = []
    zone = timezone.get_current_timezone()
    for schedule_id, (date, start_time, end_time, source) in schedules.items():
        day = rules.get(date)
        first = date == first_day
        for time in slot_grid(start_time, end_time):
            # Only the first day's slots can start too soon (clinic wall-clock time made aware).
            if first and clinic.slot_starts_at(date, time, zone) <= after:
                continue
            free = (schedule_id, time) not in taken
            if free and day is not None and not day.slot_open(time, source=source):
                continue
            if available is not None and free != available:
                continue
            slots.append((date, time, schedule_id, free))
    slots.sort()
    return [
        {"schedule": schedule_id, "date": date, "time": time, "available": free}
        for date, time, schedule_id, free in slots
    ]


def appointment_visible_list(*, user) -> QuerySet[AppointmentBooking]:
    """The appointments `user` may see: a patient's own, a doctor's with them, an admin's all."""
    queryset = AppointmentBooking.objects.select_related("patient", "doctor")
    if getattr(user, "is_admin", False):
        return queryset
    if getattr(user, "is_doctor", False):
        return queryset.filter(doctor=user)
    if getattr(user, "is_patient", False):
        return queryset.filter(patient=user)
    return queryset.none()


def appointment_list(*, user, filters=None) -> QuerySet[AppointmentBooking]:
    """A patient's own bookings or a doctor's appointments (an admin's: none), filtered.

    `filters` are query parameters (`status`, `date_from`, `date_to`); malformed ones → 400.
    Ordered by date, time and id.
    """
    if getattr(user, "is_doctor", False):
        queryset = AppointmentBooking.objects.filter(doctor=user)
    elif getattr(user, "is_patient", False):
        queryset = AppointmentBooking.objects.filter(patient=user)
    else:
        queryset = AppointmentBooking.objects.none()
    queryset = queryset.select_related("patient", "doctor").order_by(
        "appointment_date", "appointment_time", "id"
    )
    filterset = AppointmentFilter(filters or {}, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.form.errors.as_data())
    return filterset.qs


# An appointment as the API shows it, listed once: (output field, the flat row's key). The
# names come from the patient and doctor; every other key is a column of the booking.
APPOINTMENT_FIELDS = (
    ("id", "id"),
    ("patient", "patient_id"),
    ("patient_name", "patient_name"),
    ("doctor", "doctor_id"),
    ("doctor_name", "doctor_name"),
    ("schedule", "schedule_id"),
    ("appointment_date", "appointment_date"),
    ("appointment_time", "appointment_time"),
    ("starts_at", "starts_at"),
    ("ends_at", "ends_at"),
    ("status", "status"),
    ("notes", "notes"),
    ("fee", "fee"),
    ("created_at", "created_at"),
    ("cancellation_reason", "cancellation_reason"),
    ("cancelled_by", "cancelled_by_id"),
    ("cancelled_at", "cancelled_at"),
    ("cancellation_note", "cancellation_note"),
    ("rescheduled_from", "rescheduled_from_id"),
    ("rescheduled_to", "rescheduled_to_id"),
)
_NAMES = {"patient_name": "patient__full_name", "doctor_name": "doctor__full_name"}
# Computed by the output serializer from the date and time (healthcare/clinic.py): no columns.
SLOT_INSTANTS = ("starts_at", "ends_at")
APPOINTMENT_COLUMNS = tuple(
    key for _, key in APPOINTMENT_FIELDS if key not in _NAMES and key not in SLOT_INSTANTS
)


def appointment_row(booking: AppointmentBooking) -> dict:
    """A booking (patient and doctor loaded) as the flat row `appointment_rows` reads."""
    row = {column: getattr(booking, column) for column in APPOINTMENT_COLUMNS}
    row["patient_name"] = booking.patient.full_name
    row["doctor_name"] = booking.doctor.full_name
    return row


def appointment_rows(bookings: QuerySet[AppointmentBooking]) -> QuerySet:
    """The bookings as flat rows (`.values()`) of exactly what a list shows.

    A patient's or doctor's own list is read on every app start: dicts skip building three
    model instances per row (the booking, its patient, its doctor) and every user column.
    Count the bookings, not the rows: the names' joins would be in the COUNT(*) too.
    """
    names = {key: F(lookup) for key, lookup in _NAMES.items()}
    return bookings.values(*APPOINTMENT_COLUMNS, **names)


def appointments_inside(*, blocked: dict, after: dt.datetime, doctor_ids=None) -> list[int]:
    """Ids of the active appointments starting after `after` whose slot overlaps `blocked`
    (`{(doctor_id, date): [(start_minute, end_minute)]}`), by date, time and id; one query.

    The conflicts of time off and closures (`doctors.time_off`).
    """
    if not blocked:
        return []
    dates = [date for _, date in blocked]
    rows = AppointmentBooking.objects.filter(
        ACTIVE_Q, appointment_date__gte=min(dates), appointment_date__lte=max(dates)
    )
    if doctor_ids is not None:
        rows = rows.filter(doctor_id__in=list(doctor_ids))
    found = []
    for pk, doctor_id, date, time in rows.values_list(
        "id", "doctor_id", "appointment_date", "appointment_time"
    ).order_by("appointment_date", "appointment_time", "id"):
        intervals = blocked.get((doctor_id, date))
        if (
            intervals
            and slot_is_blocked(time, intervals)
            and clinic.slot_starts_at(date, time) > after
        ):
            found.append(pk)
    return found

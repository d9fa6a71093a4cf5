"""Reads of bookings, including the ones other apps need (does a schedule hold bookings?)."""

import datetime as dt
from collections import defaultdict

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractMinute
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from appointments.filters import AppointmentFilter
from appointments.models import ACTIVE_Q, AppointmentBooking
from doctors.models import DoctorSchedule
from doctors.slots import SLOT_MINUTES, slot_times


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


def _minutes(expression) -> Cast:
    """Minutes since midnight of a time column, as an integer on SQLite and PostgreSQL alike."""
    # PostgreSQL's EXTRACT returns numeric; the cast keeps the slot division an integer one.
    return Cast(ExtractHour(expression), IntegerField()) * 60 + Cast(
        ExtractMinute(expression), IntegerField()
    )


def free_future_slot_exists() -> Exists:
    """SQL, for an outer doctor queryset: has the doctor a free slot starting after now?

    Per schedule dated today or later: the number of slots starting after now (all of them on a
    later date; on today's date only those whose start is later than the current local minute)
    exceeds the number of active bookings starting after now. Bookings only ever sit on slot
    starts, so the counts compare like with like.
    """
    now = timezone.localtime()
    today = now.date()
    now_minutes = now.hour * 60 + now.minute
    start, end = _minutes("start_time"), _minutes("end_time")
    all_slots = (end - start) / SLOT_MINUTES
    # On today's date the slots starting at or before the current minute are gone:
    # (now - start) // 30 + 1 of them once the schedule has begun.
    future_slots = Case(
        When(
            date=today,
            start_time__lte=dt.time(now.hour, now.minute),
            then=all_slots - ((Value(now_minutes) - start) / SLOT_MINUTES + 1),
        ),
        default=all_slots,
        output_field=IntegerField(),
    )
    booked_after_now = (
        AppointmentBooking.objects.filter(ACTIVE_Q, schedule=OuterRef("pk"))
        .filter(Q(appointment_date__gt=today) | Q(appointment_time__gt=now.time()))
        .order_by()
        .values("schedule")
        .annotate(n=Count("pk"))
        .values("n")
    )
    schedules = (
        DoctorSchedule.objects.filter(doctor=OuterRef("pk"), date__gte=today)
        .annotate(
            future_slots=future_slots,
            booked=Coalesce(Subquery(booked_after_now, output_field=IntegerField()), 0),
        )
        .filter(future_slots__gt=F("booked"))
    )
    return Exists(schedules)


def doctor_slot_list(*, doctor, date_from: dt.date, date_to: dt.date) -> list[dict]:
    """Every slot of the doctor's schedules in [date_from, date_to] starting after now.

    Each `{schedule, date, time, available}`, taken ones `available: False`, by date and time;
    two queries (schedules, active bookings) whatever the range.
    """
    now = timezone.now()
    schedules = list(
        DoctorSchedule.objects.filter(doctor=doctor, date__gte=date_from, date__lte=date_to)
        .order_by("date", "start_time", "id")
        .only("id", "date", "start_time", "end_time")
    )
    if not schedules:
        return []
    taken = set(
        AppointmentBooking.objects.filter(
            ACTIVE_Q, doctor=doctor, appointment_date__gte=date_from, appointment_date__lte=date_to
        )
        .exclude(schedule__isnull=True)
        .values_list("schedule_id", "appointment_time")
        .order_by()
    )
    slots = []
    for schedule in schedules:
        for time in slot_times(schedule.start_time, schedule.end_time):
            if timezone.make_aware(dt.datetime.combine(schedule.date, time)) <= now:
                continue
            slots.append(
                {
                    "schedule": schedule.pk,
                    "date": schedule.date,
                    "time": time,
                    "available": (schedule.pk, time) not in taken,
                }
            )
    slots.sort(key=lambda s: (s["date"], s["time"], s["schedule"]))
    return slots


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
        raise ValidationError(filterset.errors)
    return filterset.qs

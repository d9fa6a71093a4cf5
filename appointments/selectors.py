"""Reads of bookings, including the ones other apps need (does a schedule hold bookings?)."""

import datetime as dt
from collections import defaultdict

from appointments.models import ACTIVE_Q, AppointmentBooking


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

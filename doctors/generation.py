"""Generated schedules: each doctor's weekly working hours laid out as dated schedules.

For every date from today to the booking horizon (both ends) that has no manual schedule, one
`weekly` schedule per interval of that weekday's hours, trimmed or split around the doctor's time
off and the clinic's closures (doctors/availability.py; a closed date gets none).
Regeneration touches only what changed: a generated schedule that still matches the hours keeps
its id, one that no longer does is deleted, a missing one is created. A generated schedule
holding active bookings is never changed or removed (and no new one is laid over it). A fixed
number of statements per batch of doctors, whatever the horizon: bulk reads, one delete by ids,
one bulk insert.
"""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from appointments.selectors import active_booking_times_by_schedule
from doctors.availability import blocked_intervals, free_pieces
from doctors.models import DoctorSchedule, ScheduleSource, WorkingHours
from healthcare import clinic

BATCH_SIZE = 500


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


# No savepoint when nested: callers' transactions roll back as a whole.
@transaction.atomic(savepoint=False)
def schedules_generate(
    *,
    doctor_ids,
    today: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> dict:
    """Bring these doctors' generated schedules in line with their hours, today … horizon.

    Callers hold the doctors' row locks when hours or manual schedules change with it; the
    generated schedules in range are row-locked here before their bookings are read, so a booking
    in flight on one either commits first (and keeps it) or finds it gone (400, never an orphan).
    `date_from`/`date_to` narrow the dates touched (time off and closures change only theirs).
    Returns `{"created": n, "deleted": n}`.
    """
    doctor_ids = list(doctor_ids)
    today = today or timezone.localdate()
    horizon = clinic.horizon_date(today)
    if date_from is not None:
        today = max(today, date_from)
    if date_to is not None:
        horizon = min(horizon, date_to)
    if today > horizon:
        return {"created": 0, "deleted": 0}
    hours: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for doctor_id, weekday, start, end in WorkingHours.objects.filter(
        doctor_id__in=doctor_ids
    ).values_list("doctor_id", "weekday", "start_time", "end_time"):
        hours[doctor_id][weekday].append((start, end))
    in_range = DoctorSchedule.objects.filter(
        doctor_id__in=doctor_ids, date__gte=today, date__lte=horizon
    )
    manual_dates = set(
        in_range.filter(source=ScheduleSource.MANUAL)
        .values_list("doctor_id", "date")
        .order_by()
        .distinct()
    )
    generated = list(
        in_range.filter(source=ScheduleSource.WEEKLY)
        .select_for_update()
        .values_list("id", "doctor_id", "date", "start_time", "end_time")
        .order_by()
    )
    booked = active_booking_times_by_schedule(schedule_ids=[row[0] for row in generated])

    existing: dict[tuple, int] = {}
    kept_booked: dict[tuple[int, dt.date], list[tuple]] = defaultdict(list)
    for pk, doctor_id, date, start, end in generated:
        existing[(doctor_id, date, start, end)] = pk
        if booked.get(pk):
            kept_booked[(doctor_id, date)].append((start, end))

    blocked = blocked_intervals(doctor_ids=doctor_ids, date_from=today, date_to=horizon)
    wanted: set[tuple] = set()
    for doctor_id in doctor_ids:
        week = hours.get(doctor_id)
        if not week:
            continue
        date = today
        while date <= horizon:
            if (doctor_id, date) not in manual_dates:
                for start, end in week.get(date.weekday(), ()):
                    pieces = free_pieces(start, end, blocked.get((doctor_id, date), ()))
                    for piece in [(start, end)] if pieces is None else pieces:
                        wanted.add((doctor_id, date, *piece))
            date += dt.timedelta(days=1)

    to_delete = [pk for key, pk in existing.items() if key not in wanted and not booked.get(pk)]
    to_create = [
        DoctorSchedule(
            doctor_id=doctor_id,
            date=date,
            start_time=start,
            end_time=end,
            source=ScheduleSource.WEEKLY,
        )
        for doctor_id, date, start, end in sorted(wanted)
        if (doctor_id, date, start, end) not in existing
        and not any(
            _overlaps(start, end, b_start, b_end)
            for b_start, b_end in kept_booked.get((doctor_id, date), ())
        )
    ]
    if to_delete:
        DoctorSchedule.objects.filter(pk__in=to_delete).delete()
    DoctorSchedule.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    return {"created": len(to_create), "deleted": len(to_delete)}

"""Each doctor's kept latest free slot (database triggers) equals what schedules and bookings say.

Random bookings, cancellations and status changes (through the services and behind their back),
bookings moved to another schedule or time, schedules moved, shortened and deleted, and a doctor
deleted, on SQLite and PostgreSQL; after each round the kept rows are compared with the latest
free slot computed in Python from the slot grid, and a rebuild changes nothing.
"""

import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from appointments import services
from appointments.models import ACTIVE_STATUSES, AppointmentBooking, DoctorAvailability
from appointments.tests.factories import AppointmentFactory
from doctors.models import DoctorSchedule
from doctors.slots import slot_times
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

ACTIVE = [s.value for s in ACTIVE_STATUSES]


def _expected() -> dict[int, tuple]:
    taken = set(
        AppointmentBooking.objects.filter(status__in=ACTIVE, schedule__isnull=False).values_list(
            "schedule_id", "appointment_time"
        )
    )
    latest: dict[int, tuple] = {}
    for schedule in DoctorSchedule.objects.all():
        latest.setdefault(schedule.doctor_id, (None, None))
        for time in slot_times(schedule.start_time, schedule.end_time):
            if (schedule.pk, time) not in taken:
                current = latest[schedule.doctor_id]
                if current[0] is None or (schedule.date, time) > current:
                    latest[schedule.doctor_id] = (schedule.date, time)
    return latest


def _kept() -> dict[int, tuple]:
    rows = DoctorAvailability.objects.values_list(
        "doctor_id", "latest_free_date", "latest_free_time"
    )
    doctors_with_schedules = set(DoctorSchedule.objects.values_list("doctor_id", flat=True))
    # A doctor whose schedules all went may keep a row, holding nothing.
    assert all(d is None for pk, d, _t in rows if pk not in doctors_with_schedules)
    return {pk: (d, t) for pk, d, t in rows if pk in doctors_with_schedules}


def test_a_doctor_is_free_until_their_last_slot_is_booked():
    schedule = ScheduleFactory(start_time=dt.time(9), end_time=dt.time(10))
    assert _kept() == {schedule.doctor_id: (schedule.date, dt.time(9, 30))}
    booking = AppointmentFactory(schedule=schedule, appointment_time=dt.time(9, 30))
    assert _kept() == {schedule.doctor_id: (schedule.date, dt.time(9))}
    AppointmentFactory(schedule=schedule, appointment_time=dt.time(9))
    assert _kept() == {schedule.doctor_id: (None, None)}
    services.appointment_cancel(appointment=booking, actor=AdminFactory())
    assert _kept() == {schedule.doctor_id: (schedule.date, dt.time(9, 30))}


def test_the_latest_free_slot_follows_every_kind_of_write():
    rng = random.Random(5)
    admin = AdminFactory()
    base = timezone.localdate()
    schedules = []
    for doctor in [DoctorFactory() for _ in range(3)]:
        for day in range(3):
            start = dt.time(rng.choice([8, 9, 14]), rng.choice([0, 15, 30]))
            end = (
                dt.datetime.combine(base, start) + dt.timedelta(minutes=30 * rng.randint(1, 4))
            ).time()
            schedules.append(
                ScheduleFactory(
                    doctor=doctor,
                    date=base + dt.timedelta(days=day),
                    start_time=start,
                    end_time=end,
                )
            )
    for _round in range(4):
        for _ in range(10):
            schedule = rng.choice(schedules)
            time = rng.choice(slot_times(schedule.start_time, schedule.end_time))
            status = rng.choice(["pending", "confirmed", "cancelled", "completed"])
            if AppointmentBooking.objects.filter(
                schedule=schedule, appointment_time=time, status__in=ACTIVE
            ).exists():
                status = "cancelled"
            AppointmentFactory(schedule=schedule, appointment_time=time, status=status)
        assert _kept() == _expected()
        active = list(AppointmentBooking.objects.filter(status__in=ACTIVE))
        for booking in rng.sample(active, k=min(2, len(active))):
            services.appointment_cancel(appointment=booking, actor=admin)
        inactive = AppointmentBooking.objects.exclude(status__in=ACTIVE).first()
        if not AppointmentBooking.objects.filter(
            schedule_id=inactive.schedule_id,
            appointment_time=inactive.appointment_time,
            status__in=ACTIVE,
        ).exists():
            # Behind the services' back: a booking made active again.
            AppointmentBooking.objects.filter(pk=inactive.pk).update(status="confirmed")
        assert _kept() == _expected()
        # A booking moved to a free slot of another schedule (schedule and time change).
        mover = AppointmentBooking.objects.filter(status__in=ACTIVE).first()
        for target in rng.sample(schedules, k=len(schedules)):
            free = [
                t
                for t in slot_times(target.start_time, target.end_time)
                if not AppointmentBooking.objects.filter(
                    schedule=target, appointment_time=t, status__in=ACTIVE
                ).exists()
            ]
            if mover is not None and free:
                AppointmentBooking.objects.filter(pk=mover.pk).update(
                    schedule=target, appointment_time=free[-1]
                )
                break
        assert _kept() == _expected()
        # A schedule moved to a later date, one shortened, one deleted under its bookings.
        moved, shortened, doomed = rng.sample(schedules, k=3)
        DoctorSchedule.objects.filter(pk=moved.pk).update(date=base + dt.timedelta(days=9))
        DoctorSchedule.objects.filter(pk=shortened.pk).update(
            end_time=(
                dt.datetime.combine(base, shortened.start_time) + dt.timedelta(minutes=30)
            ).time()
        )
        doomed.delete()
        schedules = list(DoctorSchedule.objects.all())
        assert _kept() == _expected()
    # A doctor without bookings deleted with their schedules (bookings protect the others).
    leaving = ScheduleFactory(doctor=DoctorFactory()).doctor
    assert leaving.pk in _kept()
    leaving.delete()
    assert _kept() == _expected()


def test_rebuild_reproduces_what_the_triggers_keep():
    ScheduleFactory()
    AppointmentFactory(status="pending")
    kept = _kept()
    DoctorAvailability.objects.all().delete()
    call_command("rebuild_report_stats", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _kept() == kept == _expected()

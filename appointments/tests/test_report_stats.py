"""The reports' summaries (kept by a PostgreSQL trigger) always equal what the bookings say.

Random inserts, status changes (through the services and behind their back), fee changes, moves
to another patient or date, and deletes; after each round the stored summaries are compared with
a recomputation in Python, and a rebuild changes nothing. The installed trigger functions are
the ones the current migration froze. SQLite keeps no summaries (the reports aggregate there).
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from appointments import services, stats
from appointments.models import (
    AppointmentBooking,
    AppointmentStatus,
    DoctorDayStats,
    DoctorStats,
    PatientStats,
    ReportTotals,
)
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import AdminFactory, PatientFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not stats.kept(), reason="only PostgreSQL keeps the summaries"),
    pytest.mark.django_db,
]

STATUSES = [s.value for s in AppointmentStatus]


def _expected():
    doctor_day = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    doctor = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    patients: dict[int, list] = {}
    for b in AppointmentBooking.objects.all():
        for row in (doctor_day[(b.doctor_id, b.appointment_date)], doctor[b.doctor_id]):
            row[0] += 1
            row[1] += b.status != "cancelled"
            row[2] += b.status == "completed"
            row[3] += int(b.fee * 100) if b.status == "completed" else 0
            row[4] += b.status == "no_show"
            row[5] += b.status == "cancelled" and b.cancellation_reason == "declined"
        p = patients.setdefault(b.patient_id, [0, b.appointment_date, b.appointment_date])
        p[0] += 1
        p[1], p[2] = min(p[1], b.appointment_date), max(p[2], b.appointment_date)
    return (
        {k: tuple(v) for k, v in doctor_day.items()},
        {k: tuple(v) for k, v in doctor.items()},
        {k: tuple(v) for k, v in patients.items()},
    )


def _stored():
    doctor_day = {
        (s.doctor_id, s.date): (
            s.bookings,
            s.appointments,
            s.completed,
            s.revenue_cents,
            s.no_show,
            s.declined,
        )
        for s in DoctorDayStats.objects.all()
    }
    doctor = {
        s.doctor_id: (
            s.bookings,
            s.appointments,
            s.completed,
            s.revenue_cents,
            s.no_show,
            s.declined,
        )
        for s in DoctorStats.objects.all()
    }
    patients = {
        s.patient_id: (s.bookings, s.first_date, s.last_date) for s in PatientStats.objects.all()
    }
    # The kept count of patients with bookings agrees with the per-patient rows.
    assert ReportTotals.objects.get().patients == sum(1 for v in patients.values() if v[0])
    # Rows emptied by deletes and moves may stay, holding nothing.
    assert all(
        v == (0, 0, 0, 0, 0, 0) for v in [*doctor_day.values(), *doctor.values()] if v[0] == 0
    )
    assert all(v == (0, None, None) for v in patients.values() if v[0] == 0)
    return (
        {k: v for k, v in doctor_day.items() if v[0]},
        {k: v for k, v in doctor.items() if v[0]},
        {k: v for k, v in patients.items() if v[0]},
    )


def test_summaries_follow_every_kind_of_booking_write():
    # The totals row as migrations leave it (a flushed database may have lost it).
    services.report_stats_rebuild()
    rng = random.Random(6)
    admin = AdminFactory()
    doctors = [DoctorFactory() for _ in range(3)]
    patients = [PatientFactory() for _ in range(4)]
    base = timezone.localdate() + dt.timedelta(days=1)
    schedules = [
        ScheduleFactory(doctor=d, date=base + dt.timedelta(days=k))
        for d in doctors
        for k in range(3)
    ]
    times = [dt.time(9), dt.time(9, 30), dt.time(10), dt.time(10, 30), dt.time(11)]
    for _round in range(4):
        for _ in range(12):
            schedule = rng.choice(schedules)
            AppointmentFactory(
                schedule=schedule,
                patient=rng.choice(patients),
                appointment_time=rng.choice(times),
                status=rng.choice(["completed", "cancelled", "no_show"]),
                fee=Decimal(rng.choice(["500.00", "9.99", "1234.50", "0.00"])),
            )
        bookings = list(AppointmentBooking.objects.order_by("id"))
        for booking in rng.sample(bookings, k=min(4, len(bookings))):
            services.appointment_update(
                appointment=booking,
                actor=admin,
                data={"status": rng.choice(["completed", "no_show", "cancelled"])},
            )
        victims = rng.sample([b.pk for b in bookings], k=3)
        AppointmentBooking.objects.filter(pk=victims[0]).update(status=rng.choice(STATUSES))
        AppointmentBooking.objects.filter(pk=victims[1]).update(fee=Decimal("77.70"))
        # A reason changing alone (a cancelled booking becoming a declined one, and back).
        AppointmentBooking.objects.filter(status="cancelled").update(
            cancellation_reason=rng.choice(["declined", "admin", None])
        )
        AppointmentBooking.objects.filter(pk=victims[2]).update(
            patient=rng.choice(patients),
            appointment_date=base + dt.timedelta(days=10),
            doctor=rng.choice(doctors),
            status="completed",
        )
        AppointmentBooking.objects.filter(pk=rng.choice(bookings).pk).delete()
        AppointmentBooking.objects.filter(pk__in=[b.pk for b in bookings]).update(notes="touched")
        assert _stored() == _expected()


def test_rebuild_reproduces_what_the_triggers_keep():
    services.report_stats_rebuild()
    for status in ["completed", "cancelled", "pending"]:
        AppointmentFactory(status=status, fee=Decimal("333.33"))
    kept = _stored()
    DoctorDayStats.objects.all().delete()
    DoctorStats.objects.all().delete()
    PatientStats.objects.all().delete()
    ReportTotals.objects.all().delete()
    call_command("rebuild_report_stats", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _stored() == kept == _expected()


def test_the_all_time_summary_follows_a_doctor_rename():
    booking = AppointmentFactory(schedule__doctor__full_name="Dr Before")
    assert DoctorStats.objects.get(doctor_id=booking.doctor_id).doctor_name == "Dr Before"
    doctor = booking.doctor
    doctor.full_name = "Dr After"
    doctor.save()
    assert DoctorStats.objects.get(doctor_id=doctor.pk).doctor_name == "Dr After"
    DoctorStats.objects.all().delete()
    call_command("rebuild_report_stats", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DoctorStats.objects.get(doctor_id=doctor.pk).doctor_name == "Dr After"


def _function_body(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [name])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("name", ["appointments_report_stats", "appointments_report_doctor_name"])
def test_the_installed_trigger_function_is_the_one_the_current_migration_froze(name):
    frozen = stats.current().FUNCTIONS
    start = frozen.index(f"FUNCTION {name}()")
    body = frozen[start:].split("$$")[1]
    assert _function_body(name) == body

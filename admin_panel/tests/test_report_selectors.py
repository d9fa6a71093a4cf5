"""The report's summary-based numbers equal the same numbers computed from the bookings.

Random bookings of every status over a few weeks, and random ranges (open at either end too):
the per-doctor rows and the patients count from the summaries must equal a recomputation over
the bookings themselves. On PostgreSQL that checks the trigger-kept summaries; on SQLite, the
aggregation the reports use there: the parity of the two ways.
"""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from admin_panel import selectors
from appointments import stats
from appointments.models import AppointmentBooking
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _from_bookings(date_from, date_to):
    per_doctor = defaultdict(lambda: [0, 0, 0, 0, Decimal("0.00")])
    patients = set()
    for b in AppointmentBooking.objects.select_related("doctor"):
        if (date_from and b.appointment_date < date_from) or (
            date_to and b.appointment_date > date_to
        ):
            continue
        patients.add(b.patient_id)
        row = per_doctor[(b.doctor.full_name, b.doctor_id)]
        row[0] += b.status != "cancelled"
        row[1] += b.status == "completed"
        row[2] += b.status == "no_show"
        row[3] += b.status == "cancelled" and b.cancellation_reason == "declined"
        row[4] += b.fee if b.status == "completed" else 0
    rows = [
        (doctor_id, name, total, completed, no_show, declined, int(revenue * 100))
        for (name, doctor_id), (total, completed, no_show, declined, revenue) in sorted(
            per_doctor.items()
        )
    ]
    return rows, len(patients)


def test_summary_based_report_numbers_match_the_bookings_for_any_range():
    rng = random.Random(11)
    start = timezone.localdate() - dt.timedelta(days=10)
    doctors = [DoctorFactory(full_name=f"Dr {name}") for name in ("B", "A", "C", "A")]
    patients = [PatientFactory() for _ in range(8)]
    for day in range(20):
        for doctor in rng.sample(doctors, k=2):
            schedule = ScheduleFactory(doctor=doctor, date=start + dt.timedelta(days=day))
            for hour in rng.sample([9, 10, 11], k=rng.randint(0, 3)):
                booking = AppointmentFactory(
                    schedule=schedule,
                    patient=rng.choice(patients),
                    appointment_time=dt.time(hour),
                    status=rng.choice(["completed", "cancelled", "no_show"]),
                    fee=Decimal(rng.choice(["500.00", "9.99", "1234.50"])),
                )
                if booking.status == "cancelled":
                    booking.cancellation_reason = rng.choice(["declined", "patient", None])
                    booking.save(update_fields=["cancellation_reason"])
    days = [None, *(start + dt.timedelta(days=k) for k in range(-2, 23, 3))]
    for _ in range(25):
        date_from, date_to = rng.choice(days), rng.choice(days)
        if date_from and date_to and date_to < date_from:
            date_from, date_to = date_to, date_from
        rows, patients_count = _from_bookings(date_from, date_to)
        assert selectors.report_per_doctor(date_from=date_from, date_to=date_to) == rows
        assert (
            selectors.report_patients_count(date_from=date_from, date_to=date_to)
            == patients_count
            == selectors.report_patient_rows(date_from=date_from, date_to=date_to).count()
        )


@pytest.mark.postgres
@pytest.mark.skipif(not stats.kept(), reason="only PostgreSQL keeps the per-patient summaries")
def test_the_all_time_patient_count_is_kept_and_falls_back_to_counting():
    from appointments.models import ReportTotals
    from appointments.services import report_stats_rebuild

    report_stats_rebuild()
    first = AppointmentFactory()
    AppointmentFactory(patient=first.patient, appointment_time=dt.time(10))
    AppointmentFactory(status="cancelled")
    assert ReportTotals.objects.get().patients == 2
    assert selectors.report_patients_count(date_from=None, date_to=None) == 2
    AppointmentBooking.objects.filter(patient=first.patient).delete()
    assert selectors.report_patients_count(date_from=None, date_to=None) == 1
    ReportTotals.objects.all().delete()
    assert selectors.report_patients_count(date_from=None, date_to=None) == 1

"""The doctors list's `available` agrees with the slot list (Python).

Two readings of one rule: `available` is one SQL subquery per listed doctor, built on the slot
grid's ORM expression (`doctors.slots.slots_after`, appointments/selectors.py); the slot list walks
every slot in Python. Random schedules and bookings around a frozen clock, on SQLite and
PostgreSQL.
"""

import datetime as dt
import random

import pytest
from django.utils import timezone

from appointments.models import AppointmentStatus
from appointments.selectors import doctor_slot_list
from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.slots import slot_times
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/doctors/"


def _random_doctor(rng: random.Random, today: dt.date):
    doctor = DoctorFactory()
    for day in rng.sample([-1, 0, 1, 2], k=rng.randint(1, 3)):
        start = dt.time(rng.randint(7, 20), rng.choice([0, 15, 30]))
        end_minutes = min(start.hour * 60 + start.minute + 30 * rng.randint(1, 5), 23 * 60 + 59)
        end = dt.time(end_minutes // 60, end_minutes % 60)
        if end_minutes - (start.hour * 60 + start.minute) < 30:
            continue
        schedule = ScheduleFactory(
            doctor=doctor, date=today + dt.timedelta(days=day), start_time=start, end_time=end
        )
        # A patient of its own: one patient can't hold two active bookings at one date and time.
        patient = PatientFactory()
        for time in slot_times(start, end):
            if rng.random() < 0.9:
                status = rng.choice(
                    [AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED]
                    + [AppointmentStatus.CANCELLED, AppointmentStatus.COMPLETED]
                )
                AppointmentFactory(
                    schedule=schedule, patient=patient, appointment_time=time, status=status
                )
    return doctor


@pytest.mark.parametrize(
    ("hour", "minute"), [(7, 0), (9, 0), (9, 29), (9, 31), (12, 45), (18, 30), (23, 59)]
)
def test_available_filter_agrees_with_the_slot_list(api_client, monkeypatch, hour, minute):
    freeze_local_time(monkeypatch, hour, minute)
    today = timezone.localdate()
    rng = random.Random(hour * 60 + minute)
    doctors = [_random_doctor(rng, today) for _ in range(12)]

    expected = {
        doctor.pk
        for doctor in doctors
        if any(
            slot["available"]
            for slot in doctor_slot_list(
                doctor_id=doctor.pk, date_from=today, date_to=today + dt.timedelta(days=2)
            )
        )
    }
    listed_true = {
        row["id"]
        for row in api_client.get(URL, {"available": "true", "page_size": 100}).json()["results"]
    }
    listed_false = {
        row["id"]
        for row in api_client.get(URL, {"available": "false", "page_size": 100}).json()["results"]
    }
    assert listed_true == expected
    assert listed_false == {d.pk for d in doctors} - expected
    # The random data must exercise both answers, or the comparison proves little.
    assert expected
    assert listed_false

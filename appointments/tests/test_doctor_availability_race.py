"""The kept latest free slot stays exact under concurrent writes: bookings of one doctor's
schedules at once, and a schedule deleted while it is booked (without a deadlock).

PostgreSQL only (SQLite serialises all writers): real concurrent clients through the API.
"""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import DoctorAvailability
from appointments.tests.factories import AppointmentFactory
from doctors.models import DoctorSchedule
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.tests.concurrency import RACE_MARKS, client_for, race
from users.tests.factories import PatientFactory

pytestmark = RACE_MARKS

ROUNDS = 5


def _book(patient, schedule, time):
    body = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": time}
    return client_for(patient).post("/api/appointments/book/", body, format="json").status_code


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_concurrent_bookings_of_the_latest_slots_leave_the_earliest_one_as_latest_free(round_):
    doctor = DoctorFactory()
    first = timezone.localdate() + dt.timedelta(days=1)
    schedules = [
        ScheduleFactory(
            doctor=doctor,
            date=first + dt.timedelta(days=k),
            start_time=dt.time(9),
            end_time=dt.time(10),
        )
        for k in range(3)
    ]
    # Six slots; all but the earliest are booked at once, each by its own patient.
    slots = [(s, t) for s in schedules for t in ("09:00", "09:30")][1:]
    statuses = race(
        *[lambda s=s, t=t, p=PatientFactory(): _book(p, s, t) for s, t in slots]  # noqa: B008
    )
    assert statuses == [201] * len(slots)
    kept = DoctorAvailability.objects.get(doctor_id=doctor.pk)
    assert (kept.latest_free_date, kept.latest_free_time) == (first, dt.time(9))


def _delete_schedule(pk):
    DoctorSchedule.objects.filter(pk=pk).delete()
    return "deleted"


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_deleting_a_schedule_while_it_is_booked_keeps_availability_exact(round_):
    """The ORM's delete (the Django admin's) detaches the schedule's bookings first, then deletes
    it: its triggers must take the schedule's row before the doctor's, as a booking does, or the
    two wait for each other."""
    schedule = ScheduleFactory(start_time=dt.time(9), end_time=dt.time(11))
    AppointmentFactory(schedule=schedule, appointment_time=dt.time(9))
    other = ScheduleFactory(
        doctor=schedule.doctor, date=schedule.date - dt.timedelta(days=1), end_time=dt.time(10)
    )
    patient = PatientFactory()
    outcomes = race(
        lambda: _book(patient, schedule, "10:30"), lambda: _delete_schedule(schedule.pk)
    )
    assert outcomes[0] in (201, 400)
    assert outcomes[1] == "deleted"
    assert not DoctorSchedule.objects.filter(pk=schedule.pk).exists()
    kept = DoctorAvailability.objects.get(doctor_id=schedule.doctor_id)
    assert (kept.latest_free_date, kept.latest_free_time) == (other.date, dt.time(9, 30))

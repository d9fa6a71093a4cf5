"""A doctor changing working hours while patients book generated slots (PostgreSQL only).

The race: regeneration deletes a generated schedule it finds without bookings while a booking of
it is in flight. Regeneration row-locks the generated schedules before reading their bookings, and
a booking row-locks its schedule, so either the booking commits first (and the schedule is kept)
or the booking finds the schedule gone (400). Never an orphaned booking, never a lost one, never a
slot held twice.
"""

import datetime as dt

from django.utils import timezone

from appointments.models import ACTIVE_Q, AppointmentBooking
from doctors.models import DoctorSchedule, WorkingHours
from doctors.tests.factories import DoctorFactory
from healthcare.tests.concurrency import RACE_MARKS, client_for, race
from users.tests.factories import PatientFactory

pytestmark = RACE_MARKS

ROUNDS = 5


def every_day(start, end):
    return [{"weekday": d, "start_time": start, "end_time": end} for d in range(7)]


def test_changing_hours_while_patients_book_generated_slots_loses_or_orphans_nothing():
    for _ in range(ROUNDS):
        doctor = DoctorFactory()
        doctor_client = client_for(doctor)
        assert (
            doctor_client.put(
                "/api/profile/working-hours/", every_day("09:00", "12:00"), format="json"
            ).status_code
            == 200
        )
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        schedule = DoctorSchedule.objects.get(doctor=doctor, date=tomorrow)
        times = ["09:00", "09:30", "10:00", "10:30", "10:30"]
        patients = [client_for(PatientFactory()) for _ in times]

        def book(client, time, doctor=doctor, schedule=schedule):
            return client.post(
                "/api/appointments/book/",
                {"doctor": doctor.pk, "schedule": schedule.pk, "appointment_time": time},
                format="json",
            )

        change, *bookings = race(
            lambda doctor_client=doctor_client: doctor_client.put(
                "/api/profile/working-hours/", every_day("13:00", "15:00"), format="json"
            ),
            *[lambda c=c, t=t: book(c, t) for c, t in zip(patients, times, strict=True)],
        )
        assert change.status_code == 200
        assert {b.status_code for b in bookings} <= {201, 400}
        booked = [b.json()["id"] for b in bookings if b.status_code == 201]
        active = AppointmentBooking.objects.filter(ACTIVE_Q, doctor=doctor)
        # Nothing lost: every 201 is an active booking, and there is no other.
        assert sorted(active.values_list("id", flat=True)) == sorted(booked)
        # Nothing orphaned: each keeps its schedule, unchanged, holding its slot.
        for appointment in active:
            kept = DoctorSchedule.objects.get(pk=appointment.schedule_id)
            assert (kept.date, kept.start_time, kept.end_time) == (
                tomorrow,
                dt.time(9),
                dt.time(12),
            )
        # Never twice: the two patients after 10:30 can't both have it.
        assert [b.status_code for b in bookings[3:]].count(201) <= 1
        # The schedule survives exactly when something is booked on it.
        assert DoctorSchedule.objects.filter(pk=schedule.pk).exists() == bool(booked)
        assert WorkingHours.objects.filter(doctor=doctor).count() == 7

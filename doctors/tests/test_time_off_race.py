"""Time off recorded while patients book inside it (PostgreSQL only).

The race: a booking in flight on a schedule the time off trims. Both lock the schedule row and
the time off reads its conflicts after locking: either a booking commits first and the time off
answers `time_off_conflict` naming it, or the time off commits first and the booking is refused.
Never an active appointment inside recorded time off.
"""

import datetime as dt

from django.utils import timezone

from appointments.models import ACTIVE_Q, AppointmentBooking
from doctors.models import TimeOff
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.tests.concurrency import RACE_MARKS, client_for, race
from users.tests.factories import PatientFactory

pytestmark = RACE_MARKS

ROUNDS = 5


def test_time_off_and_bookings_inside_it_never_both_win():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    outcomes = set()
    for _ in range(ROUNDS):
        doctor = DoctorFactory()
        schedule = ScheduleFactory(doctor=doctor, date=tomorrow)  # 09:00–12:00
        times = ["10:00", "10:30", "11:00", "11:30"]
        patients = [client_for(PatientFactory()) for _ in times]

        def book(client, time, doctor=doctor, schedule=schedule):
            return client.post(
                "/api/appointments/book/",
                {"doctor": doctor.pk, "schedule": schedule.pk, "appointment_time": time},
                format="json",
            )

        doctor_client = client_for(doctor)
        time_off, *bookings = race(
            lambda doctor_client=doctor_client: doctor_client.post(
                "/api/profile/time-off/",
                {
                    "date_from": tomorrow.isoformat(),
                    "date_to": tomorrow.isoformat(),
                    "start_time": "10:00",
                },
                format="json",
            ),
            *[lambda c=c, t=t: book(c, t) for c, t in zip(patients, times, strict=True)],
        )
        assert {b.status_code for b in bookings} <= {201, 400}
        booked = {b.json()["id"] for b in bookings if b.status_code == 201}
        active = set(
            AppointmentBooking.objects.filter(ACTIVE_Q, doctor=doctor).values_list("id", flat=True)
        )
        assert active == booked
        if time_off.status_code == 201:
            outcomes.add("time off")
            assert not booked
            assert TimeOff.objects.filter(doctor=doctor).count() == 1
        else:
            outcomes.add("booking")
            assert time_off.status_code == 400
            assert time_off.json()["code"] == "time_off_conflict"
            assert set(time_off.json()["appointments"]) <= booked
            assert time_off.json()["appointments"]
            assert not TimeOff.objects.filter(doctor=doctor).exists()
    assert outcomes

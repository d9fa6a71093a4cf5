"""Race: admins moving cancelled visits back to active while a patient books the same time.

The reactivations and the booking all lock the schedule row first, so each check sees the others'
commits; the partial unique constraints (the doctor's time, the schedule's slot) have the last
word if a check ever misses (tests/test_services.py loses that race on purpose).
"""

from appointments.models import ACTIVE_Q, AppointmentBooking
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory
from healthcare.tests.concurrency import RACE_MARKS, client_for, race
from users.tests.factories import AdminFactory, PatientFactory

pytestmark = RACE_MARKS


def test_reactivations_and_a_booking_racing_for_one_doctor_time_leave_one_active_visit():
    schedule = ScheduleFactory()
    cancelled = [AppointmentFactory(schedule=schedule, status="cancelled") for _ in range(12)]
    admin = client_for(AdminFactory())
    booking = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": "09:00"}
    patient = client_for(PatientFactory())
    calls = [
        (lambda pk=a.pk: admin.patch(f"/api/appointments/{pk}/", {"status": "confirmed"}))
        for a in cancelled
    ]
    calls.append(lambda: patient.post("/api/appointments/book/", booking, format="json"))

    responses = race(*calls)

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(400) == len(calls) - 1
    assert [s for s in statuses if s != 400] in ([200], [201])
    assert {r.json()["code"] for r in responses if r.status_code == 400} == {"slot_taken"}
    assert AppointmentBooking.objects.filter(ACTIVE_Q, doctor=schedule.doctor).count() == 1

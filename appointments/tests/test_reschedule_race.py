"""Races of reschedules (PostgreSQL, real threads).

Two patients moving into the same free slot: the new schedule's row lock serialises them and the
second sees the slot taken (the partial unique constraints have the last word); the loser's
whole transaction rolls back, so their old appointment is untouched. Two reschedules crossing
between two schedules lock both schedules in id order, so they can't deadlock.
"""

from appointments.models import AppointmentBooking
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory
from healthcare.tests.concurrency import RACE_MARKS, client_for, race

pytestmark = RACE_MARKS


def test_two_patients_rescheduling_into_one_free_slot_one_wins_and_the_loser_keeps_theirs():
    schedule = ScheduleFactory()
    first = AppointmentFactory(schedule=schedule)
    second = AppointmentFactory(schedule=schedule, appointment_time="09:30")
    body = {"schedule": schedule.pk, "appointment_time": "11:00"}
    calls = [
        (lambda a=a: client_for(a.patient).post(f"/api/appointments/{a.pk}/reschedule/", body))
        for a in (first, second)
    ]

    responses = race(*calls)

    assert sorted(r.status_code for r in responses) == [201, 400]
    loser_index = [r.status_code for r in responses].index(400)
    assert responses[loser_index].json()["code"] == "slot_taken"
    loser = (first, second)[loser_index]
    assert AppointmentBooking.objects.get(pk=loser.pk).status == "pending"
    assert AppointmentBooking.objects.get(pk=loser.pk).rescheduled_to_id is None
    assert AppointmentBooking.objects.filter(appointment_time="11:00").count() == 1


def test_reschedules_crossing_between_two_schedules_do_not_deadlock():
    one, two = ScheduleFactory(), ScheduleFactory()
    two.doctor = one.doctor
    two.save()
    a = AppointmentFactory(schedule=one)
    b = AppointmentFactory(schedule=two, doctor=one.doctor, appointment_time="10:00")
    calls = [
        lambda: client_for(a.doctor).post(
            f"/api/appointments/{a.pk}/reschedule/",
            {"schedule": two.pk, "appointment_time": "11:00"},
        ),
        lambda: client_for(b.doctor).post(
            f"/api/appointments/{b.pk}/reschedule/",
            {"schedule": one.pk, "appointment_time": "11:30"},
        ),
    ]

    responses = race(*calls)

    assert [r.status_code for r in responses] == [201, 201]

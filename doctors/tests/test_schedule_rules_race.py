"""Races around a doctor's schedules (PostgreSQL only: SQLite ignores row locks)."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import ACTIVE_Q, AppointmentBooking
from doctors.models import DoctorSchedule
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.tests.concurrency import RACE_MARKS, client_for, race
from users.tests.factories import PatientFactory

pytestmark = RACE_MARKS

ROUNDS = 6


def tomorrow_item(start, end):
    date = timezone.localdate() + dt.timedelta(days=1)
    return {"date": date.isoformat(), "start_time": start, "end_time": end}


@pytest.mark.parametrize(
    "extra",
    [{}, {"full_name": "Dr. Renamed"}, {"mobile_number": "new"}],
    ids=["schedules only", "with a name change", "with a number change"],
)
def test_deleting_a_schedule_while_a_patient_books_it_never_orphans_the_booking(extra):
    for n in range(ROUNDS):
        schedule = ScheduleFactory()
        doctor_client = client_for(schedule.doctor)
        patient_client = client_for(PatientFactory())
        body = {"schedules": [], **extra}
        if "mobile_number" in extra:
            body["mobile_number"] = f"+88019123456{n:02d}"
        delete, booking = race(
            lambda c=doctor_client, b=body: c.patch("/api/profile/", b, format="json"),
            lambda c=patient_client, s=schedule: c.post(
                "/api/appointments/book/",
                {"doctor": s.doctor_id, "schedule": s.pk, "appointment_time": "09:30"},
                format="json",
            ),
        )
        assert sorted([delete.status_code, booking.status_code]) in ([200, 400], [201, 400])
        active = AppointmentBooking.objects.filter(ACTIVE_Q, doctor=schedule.doctor)
        if delete.status_code == 200:
            assert not active.exists()
            assert not DoctorSchedule.objects.filter(pk=schedule.pk).exists()
        else:
            assert active.get().schedule_id == schedule.pk


def test_two_concurrent_replaces_leave_one_list_not_an_overlap():
    for _ in range(ROUNDS):
        doctor = DoctorFactory()
        first, second = client_for(doctor), client_for(doctor)
        responses = race(
            lambda first=first: first.patch(
                "/api/profile/", {"schedules": [tomorrow_item("09:00", "12:00")]}, format="json"
            ),
            lambda second=second: second.patch(
                "/api/profile/", {"schedules": [tomorrow_item("10:00", "13:00")]}, format="json"
            ),
        )
        assert [r.status_code for r in responses] == [200, 200]
        assert DoctorSchedule.objects.filter(doctor=doctor).count() == 1


def test_shrinking_a_schedule_while_its_last_slot_is_booked_keeps_the_booking_valid():
    for _ in range(ROUNDS):
        schedule = ScheduleFactory()
        doctor_client = client_for(schedule.doctor)
        patient_client = client_for(PatientFactory())
        item = {
            "id": schedule.pk,
            "date": schedule.date.isoformat(),
            "start_time": "09:00",
            "end_time": "11:00",
        }
        shrink, booking = race(
            lambda c=doctor_client, i=item: c.patch(
                "/api/profile/", {"schedules": [i]}, format="json"
            ),
            lambda c=patient_client, s=schedule: c.post(
                "/api/appointments/book/",
                {"doctor": s.doctor_id, "schedule": s.pk, "appointment_time": "11:30"},
                format="json",
            ),
        )
        schedule.refresh_from_db()
        booked = AppointmentBooking.objects.filter(ACTIVE_Q, schedule=schedule).exists()
        if booked:
            assert (shrink.status_code, schedule.end_time) == (400, dt.time(12))
        else:
            assert (booking.status_code, schedule.end_time) == (400, dt.time(11))

"""POST /api/appointments/{id}/reschedule/: a new slot of the same doctor, in one transaction."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from admin_panel.models import AuditLogEntry
from appointments.models import AppointmentBooking
from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def url(appointment):
    return f"/api/appointments/{appointment.pk}/reschedule/"


def to(schedule, time="10:00"):
    return {"schedule": schedule.pk, "appointment_time": time}


def stored(pk):
    return AppointmentBooking.objects.get(pk=pk)


def test_patient_reschedules_to_another_slot_and_gets_201_with_the_new_one(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).post(url(appointment), to(appointment.schedule))
    assert response.status_code == 201
    body = response.json()
    assert (body["appointment_time"], body["status"]) == ("10:00", "pending")
    assert body["rescheduled_from"] == appointment.pk
    assert body["id"] != appointment.pk


def test_the_old_appointment_is_cancelled_as_rescheduled_and_points_at_the_new(auth_client):
    appointment = AppointmentFactory()
    new_id = (
        auth_client(appointment.patient)
        .post(url(appointment), to(appointment.schedule))
        .json()["id"]
    )
    old = stored(appointment.pk)
    assert (old.status, old.cancellation_reason) == ("cancelled", "rescheduled")
    assert old.rescheduled_to_id == new_id
    assert old.cancelled_by_id == appointment.patient_id


def test_the_fee_stays_the_originals(auth_client):
    appointment = AppointmentFactory(fee=Decimal("123.00"))
    body = auth_client(appointment.patient).post(url(appointment), to(appointment.schedule)).json()
    assert body["fee"] == "123.00"


def test_the_notes_move_along(auth_client):
    appointment = AppointmentFactory(notes="Bring the X-ray")
    body = auth_client(appointment.patient).post(url(appointment), to(appointment.schedule)).json()
    assert body["notes"] == "Bring the X-ray"


def test_a_patients_reschedule_of_a_confirmed_appointment_is_pending_again(auth_client):
    appointment = AppointmentFactory(status="confirmed")
    body = auth_client(appointment.patient).post(url(appointment), to(appointment.schedule)).json()
    assert body["status"] == "pending"


def test_a_doctors_reschedule_keeps_the_confirmed_status(auth_client):
    appointment = AppointmentFactory(status="confirmed")
    body = auth_client(appointment.doctor).post(url(appointment), to(appointment.schedule)).json()
    assert body["status"] == "confirmed"


def test_an_admin_reschedules_to_another_date(auth_client, admin_user):
    appointment = AppointmentFactory()
    later = ScheduleFactory(
        doctor=appointment.doctor, date=timezone.localdate() + dt.timedelta(days=3)
    )
    response = auth_client(admin_user).post(url(appointment), to(later, "09:00"))
    assert response.status_code == 201
    assert response.json()["appointment_date"] == later.date.isoformat()


def test_the_old_slot_is_free_again(auth_client):
    appointment = AppointmentFactory()
    auth_client(appointment.patient).post(url(appointment), to(appointment.schedule))
    response = auth_client(PatientFactory()).post(
        "/api/appointments/book/",
        {
            "doctor": appointment.doctor_id,
            "schedule": appointment.schedule_id,
            "appointment_time": "09:00",
        },
    )
    assert response.status_code == 201


def test_a_reschedule_writes_one_appointment_rescheduled_entry(auth_client):
    appointment = AppointmentFactory()
    new_id = (
        auth_client(appointment.patient)
        .post(url(appointment), to(appointment.schedule))
        .json()["id"]
    )
    entry = AuditLogEntry.objects.get(action="appointment_rescheduled")
    assert (entry.object_id, entry.details["rescheduled_from"]) == (new_id, appointment.pk)
    assert not AuditLogEntry.objects.filter(
        action__in=["appointment_booked", "appointment_cancelled"]
    ).exists()


def test_rescheduling_into_a_taken_slot_is_slot_taken_and_changes_nothing(auth_client):
    appointment = AppointmentFactory()
    AppointmentFactory(schedule=appointment.schedule, appointment_time=dt.time(10))
    response = auth_client(appointment.patient).post(url(appointment), to(appointment.schedule))
    assert response.json()["code"] == "slot_taken"
    assert stored(appointment.pk).status == "pending"
    assert AppointmentBooking.objects.count() == 2


def test_another_doctors_schedule_is_schedule_invalid(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).post(
        url(appointment), to(ScheduleFactory(doctor=DoctorFactory()))
    )
    assert response.json()["code"] == "schedule_invalid"
    assert stored(appointment.pk).status == "pending"


def test_a_time_off_the_grid_is_not_a_slot(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).post(
        url(appointment), to(appointment.schedule, "10:15")
    )
    assert response.json()["code"] == "not_a_slot"


def test_a_started_slot_is_refused(auth_client, monkeypatch):
    freeze_local_time(monkeypatch, 10, 0)
    appointment = AppointmentFactory(
        schedule=ScheduleFactory(date=timezone.localdate()),
        appointment_time=dt.time(11),
    )
    response = auth_client(appointment.doctor).post(
        url(appointment), to(appointment.schedule, "09:30")
    )
    assert response.json()["code"] == "slot_started"


def test_the_patient_busy_elsewhere_at_the_new_time_is_refused(auth_client):
    appointment = AppointmentFactory()
    AppointmentFactory(
        patient=appointment.patient,
        schedule=ScheduleFactory(date=appointment.appointment_date),
        appointment_time=dt.time(10),
    )
    response = auth_client(appointment.patient).post(url(appointment), to(appointment.schedule))
    assert response.json()["code"] == "patient_busy"


def test_a_checked_in_appointment_is_an_invalid_transition(auth_client):
    appointment = AppointmentFactory(
        schedule=ScheduleFactory(date=timezone.localdate()), status="checked_in"
    )
    response = auth_client(appointment.doctor).post(url(appointment), to(appointment.schedule))
    assert response.json()["code"] == "invalid_transition"


@pytest.mark.parametrize("status", ["completed", "cancelled", "no_show"])
def test_a_final_appointment_is_already_final(auth_client, status):
    appointment = AppointmentFactory(status=status)
    response = auth_client(appointment.doctor).post(url(appointment), to(appointment.schedule))
    assert response.json()["code"] == "already_final"


def test_a_patient_past_the_cutoff_is_refused(auth_client, monkeypatch, settings):
    settings.CANCEL_CUTOFF_MINUTES = 120
    freeze_local_time(monkeypatch, 8, 0)
    appointment = AppointmentFactory(schedule=ScheduleFactory(date=timezone.localdate()))
    response = auth_client(appointment.patient).post(url(appointment), to(appointment.schedule))
    assert response.json()["code"] == "cutoff_passed"


def test_the_doctor_is_not_bound_by_the_cutoff(auth_client, monkeypatch, settings):
    settings.CANCEL_CUTOFF_MINUTES = 120
    freeze_local_time(monkeypatch, 8, 0)
    appointment = AppointmentFactory(schedule=ScheduleFactory(date=timezone.localdate()))
    response = auth_client(appointment.doctor).post(url(appointment), to(appointment.schedule))
    assert response.status_code == 201


def test_another_patient_gets_404(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(PatientFactory()).post(url(appointment), to(appointment.schedule))
    assert response.status_code == 404


def test_anonymous_is_401(api_client):
    appointment = AppointmentFactory()
    assert api_client.post(url(appointment), to(appointment.schedule)).status_code == 401


def test_a_missing_schedule_is_400(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).post(
        url(appointment), {"appointment_time": "10:00"}
    )
    assert response.json()["code"] == "required"


def test_reschedules_count_toward_the_booking_throttle(auth_client, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "book", "1/min")
    appointment = AppointmentFactory()
    client = auth_client(appointment.patient)
    first = client.post(url(appointment), to(appointment.schedule))
    second = client.post(
        f"/api/appointments/{first.json()['id']}/reschedule/", to(appointment.schedule, "10:30")
    )
    assert second.status_code == 429

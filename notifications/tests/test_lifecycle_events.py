"""The lifecycle endpoints (issue 13) and the outbox (issue 14) together, through the HTTP layer."""

import pytest

from appointments.models import AppointmentBooking
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def book(client, schedule, time="09:00"):
    data = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": time}
    response = client.post("/api/appointments/book/", data, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def events_for(appointment_id):
    rows = Notification.objects.filter(appointment_id=appointment_id).exclude(event="reminder")
    return sorted(set(rows.values_list("event", flat=True)))


def test_a_doctors_decline_is_one_declined_event_not_also_cancelled(
    auth_client, patient, doctor, far_schedule
):
    appointment = book(auth_client(patient), far_schedule)
    response = auth_client(doctor).post(f"/api/appointments/{appointment}/decline/", {})
    assert response.status_code == 200
    assert events_for(appointment) == ["booked", "declined"]


def test_a_patients_reschedule_is_one_rescheduled_event_on_the_new_appointment(
    auth_client, patient, far_schedule
):
    client = auth_client(patient)
    old = book(client, far_schedule)
    data = {"schedule": far_schedule.pk, "appointment_time": "10:00"}
    response = client.post(f"/api/appointments/{old}/reschedule/", data, format="json")
    assert response.status_code == 201, response.json()
    new = response.json()["id"]
    assert events_for(new) == ["rescheduled"]
    assert events_for(old) == ["booked"]
    old_reminders = Notification.objects.filter(appointment_id=old, event="reminder")
    assert set(old_reminders.values_list("status", flat=True)) <= {"skipped"}
    assert Notification.objects.filter(appointment_id=new, event="reminder").exists()


def test_a_confirmation_tells_the_patient_only(auth_client, patient, doctor, far_schedule):
    appointment = book(auth_client(patient), far_schedule)
    auth_client(doctor).post(f"/api/appointments/{appointment}/confirm/", {})
    confirmed = Notification.objects.filter(appointment_id=appointment, event="confirmed")
    assert set(confirmed.values_list("user_id", flat=True)) == {patient.pk}
    assert AppointmentBooking.objects.get(pk=appointment).status == "confirmed"

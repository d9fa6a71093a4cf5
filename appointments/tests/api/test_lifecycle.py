"""POST /api/appointments/{id}/confirm|decline|check-in|complete|no-show/: the lifecycle actions."""

import datetime as dt

import pytest
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from appointments.models import AppointmentBooking
from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def url(appointment, action):
    return f"/api/appointments/{appointment.pk}/{action}/"


def stored(appointment):
    return AppointmentBooking.objects.get(pk=appointment.pk)


def on_day(days, **kwargs):
    """A booking of the 09:00 slot `days` from today (negative: in the past)."""
    schedule = ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=days))
    return AppointmentFactory(schedule=schedule, **kwargs)


# confirm


def test_doctor_confirms_a_pending_appointment(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.doctor).post(url(appointment, "confirm"))
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert stored(appointment).status == "confirmed"


def test_confirming_writes_an_appointment_confirmed_audit_entry(auth_client):
    appointment = AppointmentFactory()
    auth_client(appointment.doctor).post(url(appointment, "confirm"))
    entry = AuditLogEntry.objects.get(action="appointment_confirmed")
    assert (entry.object_id, entry.actor_id) == (appointment.pk, appointment.doctor_id)


def test_admin_confirms_any_appointment(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).post(url(appointment, "confirm"))
    assert response.status_code == 200


def test_doctor_confirms_a_past_pending_appointment(auth_client):
    appointment = on_day(-1)
    response = auth_client(appointment.doctor).post(url(appointment, "confirm"))
    assert response.status_code == 200


def test_its_patient_cannot_confirm(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).post(url(appointment, "confirm"))
    assert response.status_code == 403
    assert stored(appointment).status == "pending"


def test_another_doctor_gets_404_for_someone_elses_appointment(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(DoctorFactory()).post(url(appointment, "confirm"))
    assert response.status_code == 404


def test_another_patient_gets_404(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(PatientFactory()).post(url(appointment, "confirm"))
    assert response.status_code == 404


def test_anonymous_confirm_is_401(api_client):
    appointment = AppointmentFactory()
    assert api_client.post(url(appointment, "confirm")).status_code == 401


def test_confirming_a_confirmed_appointment_is_an_invalid_transition(auth_client):
    appointment = AppointmentFactory(status="confirmed")
    response = auth_client(appointment.doctor).post(url(appointment, "confirm"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"


def test_confirming_a_checked_in_appointment_is_an_invalid_transition(auth_client):
    appointment = on_day(0, status="checked_in")
    response = auth_client(appointment.doctor).post(url(appointment, "confirm"))
    assert response.json()["code"] == "invalid_transition"


@pytest.mark.parametrize("status", ["completed", "cancelled", "no_show"])
def test_confirming_a_final_appointment_is_already_final(auth_client, status):
    appointment = AppointmentFactory(status=status)
    response = auth_client(appointment.doctor).post(url(appointment, "confirm"))
    assert response.status_code == 400
    assert response.json()["code"] == "already_final"


def test_an_unknown_appointment_is_404(auth_client, doctor):
    assert auth_client(doctor).post("/api/appointments/999999/confirm/").status_code == 404


# decline


@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_doctor_declines_an_active_appointment(auth_client, status):
    appointment = AppointmentFactory(status=status)
    response = auth_client(appointment.doctor).post(url(appointment, "decline"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cancellation_reason"]) == ("cancelled", "declined")


def test_a_decline_records_who_when_and_the_note(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.doctor).post(
        url(appointment, "decline"), {"reason": "Away at a conference"}, format="json"
    )
    body = response.json()
    assert body["cancelled_by"] == appointment.doctor_id
    assert body["cancellation_note"] == "Away at a conference"
    assert body["cancelled_at"] is not None
    assert stored(appointment).cancellation_note == "Away at a conference"


def test_a_decline_note_over_500_characters_is_refused(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.doctor).post(
        url(appointment, "decline"), {"reason": "x" * 501}, format="json"
    )
    assert response.status_code == 400
    assert stored(appointment).status == "pending"


def test_a_decline_writes_an_appointment_declined_audit_entry(auth_client):
    appointment = AppointmentFactory()
    auth_client(appointment.doctor).post(url(appointment, "decline"))
    assert AuditLogEntry.objects.get(action="appointment_declined").object_id == appointment.pk


def test_declining_frees_the_slot(auth_client):
    appointment = AppointmentFactory()
    auth_client(appointment.doctor).post(url(appointment, "decline"))
    response = auth_client(PatientFactory()).post(
        "/api/appointments/book/",
        {
            "doctor": appointment.doctor_id,
            "schedule": appointment.schedule_id,
            "appointment_time": "09:00",
        },
    )
    assert response.status_code == 201


def test_its_patient_cannot_decline(auth_client):
    appointment = AppointmentFactory()
    assert auth_client(appointment.patient).post(url(appointment, "decline")).status_code == 403


def test_declining_a_checked_in_appointment_is_an_invalid_transition(auth_client):
    appointment = on_day(0, status="checked_in")
    response = auth_client(appointment.doctor).post(url(appointment, "decline"))
    assert response.json()["code"] == "invalid_transition"


def test_declining_a_completed_appointment_is_already_final(auth_client):
    appointment = AppointmentFactory(status="completed")
    response = auth_client(appointment.doctor).post(url(appointment, "decline"))
    assert response.json()["code"] == "already_final"


# check-in


@pytest.mark.parametrize("status", ["pending", "confirmed"])
def test_doctor_checks_in_todays_appointment(auth_client, monkeypatch, status):
    freeze_local_time(monkeypatch, 8, 0)
    appointment = on_day(0, status=status)
    response = auth_client(appointment.doctor).post(url(appointment, "check-in"))
    assert response.status_code == 200
    assert stored(appointment).status == "checked_in"


def test_check_in_after_the_start_on_the_day_is_allowed(auth_client, monkeypatch):
    freeze_local_time(monkeypatch, 9, 20)
    appointment = on_day(0)
    response = auth_client(appointment.doctor).post(url(appointment, "check-in"))
    assert response.status_code == 200


def test_checking_in_writes_an_audit_entry(auth_client, admin_user):
    appointment = on_day(0)
    auth_client(admin_user).post(url(appointment, "check-in"))
    assert AuditLogEntry.objects.get(action="appointment_checked_in").actor_id == admin_user.pk


def test_checking_in_tomorrows_appointment_is_an_invalid_transition(auth_client):
    appointment = on_day(1)
    response = auth_client(appointment.doctor).post(url(appointment, "check-in"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_transition"


def test_checking_in_yesterdays_appointment_is_an_invalid_transition(auth_client):
    appointment = on_day(-1)
    response = auth_client(appointment.doctor).post(url(appointment, "check-in"))
    assert response.json()["code"] == "invalid_transition"


def test_its_patient_cannot_check_in(auth_client):
    appointment = on_day(0)
    assert auth_client(appointment.patient).post(url(appointment, "check-in")).status_code == 403


def test_a_checked_in_appointment_still_holds_its_slot(auth_client):
    appointment = on_day(0, status="checked_in")
    with pytest.raises(Exception):  # noqa: B017, PT011 - any IntegrityError of the backend
        AppointmentFactory(schedule=appointment.schedule)


# complete


def test_completing_before_the_start_is_an_invalid_transition(auth_client, monkeypatch):
    freeze_local_time(monkeypatch, 8, 59)
    appointment = on_day(0)
    response = auth_client(appointment.doctor).post(url(appointment, "complete"))
    assert response.json()["code"] == "invalid_transition"
    assert stored(appointment).status == "pending"


def test_doctor_completes_at_the_start(auth_client, monkeypatch):
    freeze_local_time(monkeypatch, 9, 0)
    appointment = on_day(0)
    response = auth_client(appointment.doctor).post(url(appointment, "complete"))
    assert response.status_code == 200
    assert stored(appointment).status == "completed"


@pytest.mark.parametrize("status", ["pending", "confirmed", "checked_in"])
def test_doctor_completes_a_past_active_appointment(auth_client, status):
    appointment = on_day(-1, status=status)
    response = auth_client(appointment.doctor).post(url(appointment, "complete"))
    assert response.status_code == 200
    assert AuditLogEntry.objects.filter(action="appointment_completed").count() == 1


def test_completing_a_no_show_is_already_final(auth_client):
    appointment = on_day(-1, status="no_show")
    response = auth_client(appointment.doctor).post(url(appointment, "complete"))
    assert response.json()["code"] == "already_final"


def test_its_patient_cannot_complete(auth_client):
    appointment = on_day(-1)
    assert auth_client(appointment.patient).post(url(appointment, "complete")).status_code == 403


# no-show


def test_doctor_marks_a_past_appointment_no_show(auth_client):
    appointment = on_day(-1, status="confirmed")
    response = auth_client(appointment.doctor).post(url(appointment, "no-show"))
    assert response.status_code == 200
    assert stored(appointment).status == "no_show"
    assert AuditLogEntry.objects.filter(action="appointment_no_show").count() == 1


def test_no_show_before_the_start_is_an_invalid_transition(auth_client):
    appointment = on_day(1)
    response = auth_client(appointment.doctor).post(url(appointment, "no-show"))
    assert response.json()["code"] == "invalid_transition"


def test_a_checked_in_patient_cannot_be_marked_no_show(auth_client):
    appointment = on_day(-1, status="checked_in")
    response = auth_client(appointment.doctor).post(url(appointment, "no-show"))
    assert response.json()["code"] == "invalid_transition"


def test_its_patient_cannot_mark_no_show(auth_client):
    appointment = on_day(-1)
    assert auth_client(appointment.patient).post(url(appointment, "no-show")).status_code == 403


def test_a_no_show_frees_the_doctors_time(auth_client):
    appointment = on_day(-1)
    auth_client(appointment.doctor).post(url(appointment, "no-show"))
    AppointmentFactory(schedule=appointment.schedule)
    assert AppointmentBooking.objects.filter(schedule=appointment.schedule).count() == 2


# the representation


def test_an_active_appointment_shows_empty_cancellation_and_reschedule_fields(auth_client):
    appointment = AppointmentFactory()
    body = auth_client(appointment.patient).get(f"/api/appointments/{appointment.pk}/").json()
    assert {
        key: body[key]
        for key in (
            "cancellation_reason",
            "cancelled_by",
            "cancelled_at",
            "cancellation_note",
            "rescheduled_from",
            "rescheduled_to",
        )
    } == dict.fromkeys(
        (
            "cancellation_reason",
            "cancelled_by",
            "cancelled_at",
            "cancellation_note",
            "rescheduled_from",
            "rescheduled_to",
        )
    )

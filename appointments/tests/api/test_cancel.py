import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import AppointmentBooking
from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def url(appointment):
    return f"/api/appointments/{appointment.pk}/cancel/"


def stored_status(appointment):
    return AppointmentBooking.objects.get(pk=appointment.pk).status


def test_patient_cancels_their_future_appointment(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).post(url(appointment))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert stored_status(appointment) == "cancelled"


def test_cancelling_frees_the_slot_for_another_patient(auth_client):
    appointment = AppointmentFactory()
    auth_client(appointment.patient).post(url(appointment))
    response = auth_client(PatientFactory()).post(
        "/api/appointments/book/",
        {
            "doctor": appointment.doctor_id,
            "schedule": appointment.schedule_id,
            "appointment_time": "09:00",
        },
    )
    assert response.status_code == 201


def test_patient_cannot_cancel_at_the_start(auth_client, monkeypatch):
    freeze_local_time(monkeypatch, 9, 0)
    schedule = ScheduleFactory(date=timezone.localdate())
    appointment = AppointmentFactory(schedule=schedule)
    response = auth_client(appointment.patient).post(url(appointment))
    assert response.status_code == 400
    assert stored_status(appointment) == "pending"


def test_patient_cannot_cancel_a_past_appointment(auth_client):
    schedule = ScheduleFactory(date=timezone.localdate() - dt.timedelta(days=2))
    appointment = AppointmentFactory(schedule=schedule)
    response = auth_client(appointment.patient).post(url(appointment))
    assert response.status_code == 400


def test_patient_can_cancel_just_before_the_start(auth_client, monkeypatch):
    freeze_local_time(monkeypatch, 8, 59)
    schedule = ScheduleFactory(date=timezone.localdate())
    appointment = AppointmentFactory(schedule=schedule)
    response = auth_client(appointment.patient).post(url(appointment))
    assert response.status_code == 200


def test_doctor_cancels_a_started_appointment(auth_client):
    schedule = ScheduleFactory(date=timezone.localdate() - dt.timedelta(days=1))
    appointment = AppointmentFactory(schedule=schedule)
    response = auth_client(appointment.doctor).post(url(appointment))
    assert response.status_code == 200
    assert stored_status(appointment) == "cancelled"


def test_admin_cancels_any_appointment(auth_client, admin_user):
    schedule = ScheduleFactory(date=timezone.localdate() - dt.timedelta(days=1))
    appointment = AppointmentFactory(schedule=schedule)
    response = auth_client(admin_user).post(url(appointment))
    assert response.status_code == 200


@pytest.mark.parametrize("status", ["completed", "cancelled", "no_show"])
def test_a_final_appointment_cannot_be_cancelled(auth_client, admin_user, status):
    appointment = AppointmentFactory(status=status)
    response = auth_client(admin_user).post(url(appointment))
    assert response.status_code == 400
    assert stored_status(appointment) == status


def test_another_patient_gets_404(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(PatientFactory()).post(url(appointment))
    assert response.status_code == 404
    assert stored_status(appointment) == "pending"


def test_another_doctor_gets_404(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(DoctorFactory()).post(url(appointment))
    assert response.status_code == 404


def test_anonymous_cancel_is_401(api_client):
    response = api_client.post(url(AppointmentFactory()))
    assert response.status_code == 401


def test_a_patients_cancel_has_reason_patient(auth_client):
    appointment = AppointmentFactory()
    body = auth_client(appointment.patient).post(url(appointment)).json()
    assert (body["cancellation_reason"], body["cancelled_by"]) == (
        "patient",
        appointment.patient_id,
    )


def test_a_doctors_cancel_has_reason_declined(auth_client):
    appointment = AppointmentFactory()
    body = auth_client(appointment.doctor).post(url(appointment)).json()
    assert body["cancellation_reason"] == "declined"


def test_an_admins_cancel_has_reason_admin(auth_client, admin_user):
    appointment = AppointmentFactory()
    body = auth_client(admin_user).post(url(appointment)).json()
    assert body["cancellation_reason"] == "admin"


def test_the_admin_panels_delete_cancels_with_reason_admin(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).delete(f"/api/admin-panel/appointments/{appointment.pk}/")
    assert AppointmentBooking.objects.get(pk=appointment.pk).cancellation_reason == "admin"


def test_the_cancel_body_reason_is_kept_as_the_cancellation_note(auth_client):
    appointment = AppointmentFactory()
    body = (
        auth_client(appointment.patient)
        .post(url(appointment), {"reason": "Feeling better"}, format="json")
        .json()
    )
    assert body["cancellation_note"] == "Feeling better"


def test_a_cancel_note_over_500_characters_is_refused(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).post(
        url(appointment), {"reason": "x" * 501}, format="json"
    )
    assert response.status_code == 400
    assert stored_status(appointment) == "pending"


def test_a_patient_cannot_cancel_inside_the_cutoff(auth_client, monkeypatch, settings):
    settings.CANCEL_CUTOFF_MINUTES = 60
    freeze_local_time(monkeypatch, 8, 30)
    appointment = AppointmentFactory(schedule=ScheduleFactory(date=timezone.localdate()))
    response = auth_client(appointment.patient).post(url(appointment))
    assert response.json()["code"] == "cutoff_passed"
    assert stored_status(appointment) == "pending"


def test_a_patient_can_cancel_just_outside_the_cutoff(auth_client, monkeypatch, settings):
    settings.CANCEL_CUTOFF_MINUTES = 60
    freeze_local_time(monkeypatch, 7, 59)
    appointment = AppointmentFactory(schedule=ScheduleFactory(date=timezone.localdate()))
    assert auth_client(appointment.patient).post(url(appointment)).status_code == 200


def test_the_doctor_is_not_bound_by_the_cutoff(auth_client, monkeypatch, settings):
    settings.CANCEL_CUTOFF_MINUTES = 60
    freeze_local_time(monkeypatch, 8, 30)
    appointment = AppointmentFactory(schedule=ScheduleFactory(date=timezone.localdate()))
    assert auth_client(appointment.doctor).post(url(appointment)).status_code == 200


def test_cancelling_a_checked_in_appointment_as_its_doctor_frees_the_slot(auth_client):
    appointment = AppointmentFactory(
        schedule=ScheduleFactory(date=timezone.localdate()), status="checked_in"
    )
    assert auth_client(appointment.doctor).post(url(appointment)).status_code == 200
    assert stored_status(appointment) == "cancelled"

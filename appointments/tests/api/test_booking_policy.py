"""The booking policy: minimum notice and horizon for bookings, the cut-off for cancelling."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import AppointmentBooking
from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db

BOOK = "/api/appointments/book/"
ADMIN_BOOK = "/api/admin-panel/appointments/"


def today_schedule():
    return ScheduleFactory(date=timezone.localdate(), start_time=dt.time(9), end_time=dt.time(12))


def body(schedule, time):
    return {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": time}


def test_patient_cannot_book_a_slot_starting_within_the_minimum_notice(
    auth_client, patient, settings, monkeypatch
):
    settings.BOOKING_MIN_NOTICE_MINUTES = 90
    freeze_local_time(monkeypatch, 8, 0)
    response = auth_client(patient).post(BOOK, body(today_schedule(), "09:30"))
    assert response.status_code == 400
    assert response.json()["code"] == "slot_started"
    assert response.json()["errors"][0]["field"] == "appointment_time"


def test_patient_books_a_slot_starting_after_the_minimum_notice(
    auth_client, patient, settings, monkeypatch
):
    settings.BOOKING_MIN_NOTICE_MINUTES = 90
    freeze_local_time(monkeypatch, 8, 0)
    response = auth_client(patient).post(BOOK, body(today_schedule(), "10:00"))
    assert response.status_code == 201


def test_admin_books_a_future_slot_within_the_minimum_notice(
    auth_client, admin_user, patient, settings, monkeypatch
):
    settings.BOOKING_MIN_NOTICE_MINUTES = 90
    freeze_local_time(monkeypatch, 8, 0)
    response = auth_client(admin_user).post(
        ADMIN_BOOK, {**body(today_schedule(), "09:00"), "patient": patient.pk}
    )
    assert response.status_code == 201


def test_admin_cannot_book_a_slot_that_has_started(
    auth_client, admin_user, patient, settings, monkeypatch
):
    freeze_local_time(monkeypatch, 9, 10)
    response = auth_client(admin_user).post(
        ADMIN_BOOK, {**body(today_schedule(), "09:00"), "patient": patient.pk}
    )
    assert response.json()["code"] == "slot_started"


def test_patient_cannot_book_a_slot_past_the_booking_horizon(auth_client, patient, settings):
    settings.BOOKING_HORIZON_DAYS = 10
    schedule = ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=11))
    response = auth_client(patient).post(BOOK, body(schedule, "09:00"))
    assert response.status_code == 400
    assert response.json()["code"] == "beyond_horizon"
    assert not AppointmentBooking.objects.exists()


def test_patient_books_a_slot_on_the_last_day_of_the_horizon(auth_client, patient, settings):
    settings.BOOKING_HORIZON_DAYS = 10
    schedule = ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=10))
    assert auth_client(patient).post(BOOK, body(schedule, "09:00")).status_code == 201


def test_admin_cannot_book_past_the_booking_horizon_either(
    auth_client, admin_user, patient, settings
):
    settings.BOOKING_HORIZON_DAYS = 10
    schedule = ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=11))
    response = auth_client(admin_user).post(
        ADMIN_BOOK, {**body(schedule, "09:00"), "patient": patient.pk}
    )
    assert response.json()["code"] == "beyond_horizon"


def _appointment_today_at(hour, minute=0):
    return AppointmentFactory(schedule=today_schedule(), appointment_time=dt.time(hour, minute))


def cancel(client, appointment):
    return client.post(f"/api/appointments/{appointment.pk}/cancel/")


def test_patient_cannot_cancel_within_the_cutoff(auth_client, settings, monkeypatch):
    settings.CANCEL_CUTOFF_MINUTES = 120
    freeze_local_time(monkeypatch, 8, 0)
    appointment = _appointment_today_at(10, 0)
    response = cancel(auth_client(appointment.patient), appointment)
    assert response.status_code == 400
    assert response.json()["code"] == "cutoff_passed"
    assert AppointmentBooking.objects.get(pk=appointment.pk).status == "pending"


def test_patient_cancels_while_the_start_is_further_away_than_the_cutoff(
    auth_client, settings, monkeypatch
):
    settings.CANCEL_CUTOFF_MINUTES = 120
    freeze_local_time(monkeypatch, 8, 0)
    appointment = _appointment_today_at(10, 30)
    assert cancel(auth_client(appointment.patient), appointment).status_code == 200


def test_doctor_cancels_within_the_cutoff(auth_client, settings, monkeypatch):
    settings.CANCEL_CUTOFF_MINUTES = 120
    freeze_local_time(monkeypatch, 8, 0)
    appointment = _appointment_today_at(9, 0)
    assert cancel(auth_client(appointment.doctor), appointment).status_code == 200


def test_admin_cancels_within_the_cutoff(auth_client, admin_user, settings, monkeypatch):
    settings.CANCEL_CUTOFF_MINUTES = 120
    freeze_local_time(monkeypatch, 8, 0)
    appointment = _appointment_today_at(9, 0)
    assert cancel(auth_client(admin_user), appointment).status_code == 200

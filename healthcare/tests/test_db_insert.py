"""`healthcare.db.raw.insert` writes a new row exactly as `save()` would, and hands over to
`save()` whenever the two could differ."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models.signals import post_save

from admin_panel.models import AuditLogEntry
from appointments.models import AppointmentBooking
from doctors.tests.factories import ScheduleFactory
from healthcare.db.raw import insert
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def _booking(schedule, patient, time=dt.time(9, 0)) -> AppointmentBooking:
    return AppointmentBooking(
        patient=patient,
        doctor=schedule.doctor,
        schedule=schedule,
        appointment_date=schedule.date,
        appointment_time=time,
        fee=Decimal("450.00"),
        notes="first visit",
    )


def _stored(instance) -> dict:
    model = type(instance)
    row = model.objects.get(pk=instance.pk)
    return {
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if field.attname not in {"id", "created_at", "updated_at", "timestamp"}
    }


def test_a_booking_inserted_is_stored_as_save_stores_it():
    schedule, patient = ScheduleFactory(), PatientFactory()
    fast, saved = _booking(schedule, patient), _booking(schedule, PatientFactory(), dt.time(10))

    insert(fast)
    saved.save()

    assert fast.pk is not None
    assert fast._state.adding is False
    assert fast.created_at is not None
    stored_fast, stored_saved = _stored(fast), _stored(saved)
    assert stored_fast.pop("patient_id") == patient.pk
    stored_saved.pop("patient_id")
    stored_saved["appointment_time"] = dt.time(9, 0)
    assert stored_fast == stored_saved


def test_an_audit_entry_inserted_keeps_its_details_and_address():
    actor = PatientFactory()
    entry = AuditLogEntry(
        actor=actor,
        actor_role="patient",
        action="appointment_booked",
        object_type="appointment",
        object_id=7,
        ip="203.0.113.9",
        details={"doctor_id": 3, "appointment_time": "09:30"},
    )

    insert(entry)

    stored = AuditLogEntry.objects.get(pk=entry.pk)
    assert stored.details == {"doctor_id": 3, "appointment_time": "09:30"}
    assert stored.ip == "203.0.113.9"
    assert stored.actor_id == actor.pk
    assert stored.timestamp == entry.timestamp


def test_a_model_with_a_save_listener_is_saved_through_save():
    heard = []

    def listener(sender, instance, created, **kwargs):
        heard.append((instance.pk, created))

    post_save.connect(listener, sender=AppointmentBooking)
    try:
        booking = _booking(ScheduleFactory(), PatientFactory())
        insert(booking)
    finally:
        post_save.disconnect(listener, sender=AppointmentBooking)

    assert heard == [(booking.pk, True)]


def test_an_instance_already_saved_is_saved_through_save():
    booking = _booking(ScheduleFactory(), PatientFactory())
    booking.save()
    booking.notes = "changed"

    insert(booking)

    assert AppointmentBooking.objects.get(pk=booking.pk).notes == "changed"
    assert AppointmentBooking.objects.count() == 1

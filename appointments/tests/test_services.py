"""The booking services called directly, as the admin panel and the Django admin call them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from appointments import services
from appointments.models import AppointmentBooking, AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.errors import Refusal
from healthcare.events import domain_event
from users.tests.factories import AdminFactory, PatientFactory

pytestmark = pytest.mark.django_db

NINE = dt.time(9, 0)


@pytest.fixture
def events():
    seen = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    domain_event.connect(receiver, weak=False)
    yield seen
    domain_event.disconnect(receiver)


def book(patient, schedule, time=NINE, **kwargs):
    return services.appointment_book(
        patient=patient,
        doctor_id=schedule.doctor_id,
        schedule_id=schedule.pk,
        appointment_time=time,
        **kwargs,
    )


def test_book_stores_a_pending_booking_with_the_schedule_date():
    schedule = ScheduleFactory()
    booking = book(PatientFactory(), schedule)
    stored = AppointmentBooking.objects.get(pk=booking.pk)
    assert (stored.status, stored.appointment_date) == ("pending", schedule.date)


def test_book_copies_the_doctor_fee():
    schedule = ScheduleFactory(doctor__doctor_detail__consultation_fee=Decimal("750.00"))
    booking = book(PatientFactory(), schedule)
    assert AppointmentBooking.objects.get(pk=booking.pk).fee == Decimal("750.00")


def test_book_emits_appointment_booked_with_the_actor(events):
    admin = AdminFactory()
    booking = book(PatientFactory(), ScheduleFactory(), actor=admin)
    booked = [e for e in events if e["action"] == "appointment_booked"]
    assert booked[0]["actor"] == admin
    assert booked[0]["object_id"] == booking.pk


def test_book_accepts_an_admin_given_status():
    booking = book(PatientFactory(), ScheduleFactory(), status="confirmed")
    assert AppointmentBooking.objects.get(pk=booking.pk).status == "confirmed"


def test_book_refuses_an_unknown_status():
    with pytest.raises(Refusal) as info:
        book(PatientFactory(), ScheduleFactory(), status="done")
    assert "status" in info.value.detail


def test_book_refuses_an_unverified_doctor():
    schedule = ScheduleFactory(doctor__doctor_detail__is_verified=False)
    with pytest.raises(Refusal) as info:
        book(PatientFactory(), schedule)
    assert "doctor" in info.value.detail


def test_book_refuses_a_taken_slot():
    schedule = ScheduleFactory()
    book(PatientFactory(), schedule)
    with pytest.raises(Refusal) as info:
        book(PatientFactory(), schedule)
    assert "appointment_time" in info.value.detail
    assert AppointmentBooking.objects.count() == 1


def test_lost_slot_race_maps_to_the_slot_constraint():
    existing = AppointmentFactory()
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        AppointmentFactory(schedule=existing.schedule)
    assert services._violated_constraint(info.value) == services.SLOT_CONSTRAINT


def test_lost_patient_race_maps_to_the_patient_constraint():
    existing = AppointmentFactory()
    other = ScheduleFactory(date=existing.appointment_date)
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        AppointmentFactory(schedule=other, patient=existing.patient)
    assert services._violated_constraint(info.value) == services.PATIENT_CONSTRAINT


def test_save_guarded_turns_a_slot_race_into_a_400():
    existing = AppointmentFactory()
    duplicate = AppointmentFactory.build(
        schedule=existing.schedule, patient=PatientFactory(), doctor=existing.doctor
    )
    with pytest.raises(Refusal) as info:
        services._save_guarded(duplicate.save)
    assert info.value.detail["appointment_time"][0] == services.SLOT_TAKEN


def test_update_by_a_non_admin_is_denied():
    booking = AppointmentFactory()
    with pytest.raises(PermissionDenied):
        services.appointment_update(
            appointment=booking, actor=booking.patient, data={"status": "confirmed"}
        )


def test_update_emits_status_changed_with_old_and_new(events):
    booking = AppointmentFactory()
    services.appointment_update(
        appointment=booking, actor=AdminFactory(), data={"status": "completed"}
    )
    changed = [e for e in events if e["action"] == "appointment_status_changed"]
    assert changed[0]["details"] == {"old_status": "pending", "new_status": "completed"}


def test_update_into_active_refuses_when_the_slot_was_rebooked():
    booking = AppointmentFactory(status=AppointmentStatus.CANCELLED)
    AppointmentFactory(schedule=booking.schedule)
    with pytest.raises(Refusal):
        services.appointment_update(
            appointment=booking, actor=AdminFactory(), data={"status": "pending"}
        )
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_cancel_by_an_unrelated_doctor_is_denied():
    booking = AppointmentFactory()
    with pytest.raises(PermissionDenied):
        services.appointment_cancel(appointment=booking, actor=DoctorFactory())


def test_cancel_emits_appointment_cancelled(events):
    booking = AppointmentFactory()
    services.appointment_cancel(appointment=booking, actor=booking.patient)
    assert [e["action"] for e in events] == ["appointment_cancelled"]


def test_book_refuses_a_non_patient_as_patient():
    with pytest.raises(Refusal) as info:
        book(DoctorFactory(), ScheduleFactory())
    assert "patient" in info.value.detail
    assert not AppointmentBooking.objects.exists()


def test_book_refuses_an_inactive_patient():
    with pytest.raises(Refusal) as info:
        book(PatientFactory(is_active=False), ScheduleFactory())
    assert "patient" in info.value.detail


def _skip_the_checks(monkeypatch):
    """Let a booking reach the INSERT as if a concurrent one had committed after its check."""
    monkeypatch.setattr(services, "_check_slot_and_patient_free", lambda **kwargs: None)


def test_book_turns_a_lost_patient_race_into_a_400_and_stores_nothing(monkeypatch):
    existing = AppointmentFactory()
    other = ScheduleFactory(date=existing.appointment_date)
    _skip_the_checks(monkeypatch)
    with pytest.raises(Refusal) as info:
        book(existing.patient, other)
    assert info.value.detail["appointment_time"][0] == services.PATIENT_BUSY
    assert AppointmentBooking.objects.count() == 1


def test_book_turns_a_lost_slot_race_into_a_400_inside_a_callers_transaction(monkeypatch):
    # The Django admin books inside its own transaction: the loser's savepoint rolls back and
    # the caller's transaction stays usable.
    existing = AppointmentFactory()
    _skip_the_checks(monkeypatch)
    with transaction.atomic():
        with pytest.raises(Refusal) as info:
            book(PatientFactory(), existing.schedule)
        assert AppointmentBooking.objects.count() == 1
    assert info.value.detail["appointment_time"][0] == services.SLOT_TAKEN


def test_a_reactivation_losing_the_doctors_time_to_another_schedule_is_a_400(monkeypatch):
    # As if another schedule's booking of the doctor's time had committed after our check.
    cancelled = AppointmentFactory(status="cancelled")
    other = ScheduleFactory(doctor=cancelled.doctor, date=cancelled.appointment_date)
    AppointmentFactory(schedule=other, doctor=cancelled.doctor)
    _skip_the_checks(monkeypatch)
    with pytest.raises(Refusal) as info:
        services.appointment_update(
            appointment=cancelled, actor=AdminFactory(), data={"status": "confirmed"}
        )
    assert info.value.code == "slot_taken"
    assert AppointmentBooking.objects.get(pk=cancelled.pk).status == "cancelled"

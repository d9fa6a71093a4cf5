"""Rows are written with the change that causes them: who hears what, on which channel."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import AppointmentBooking
from appointments.tests.factories import AppointmentFactory
from notifications.models import Notification, NotificationPreference
from notifications.services import _INSERT_SQL, notifications_record

pytestmark = pytest.mark.django_db

BOOK = "/api/appointments/book/"


def book(client, schedule, time="09:00"):
    return client.post(
        BOOK,
        {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": time},
    )


def events(**filters):
    return sorted(
        Notification.objects.filter(**filters)
        .exclude(event="reminder")
        .values_list("user_id", "channel", "event", "status")
    )


def test_a_booking_writes_email_and_sms_for_patient_and_doctor(
    auth_client, patient, doctor, far_schedule
):
    assert book(auth_client(patient), far_schedule).status_code == 201
    assert events() == sorted(
        [
            (patient.pk, "email", "booked", "pending"),
            (patient.pk, "sms", "booked", "pending"),
            (doctor.pk, "email", "booked", "pending"),
            (doctor.pk, "sms", "booked", "pending"),
        ]
    )


def test_a_booking_refused_by_its_constraint_writes_no_notification(
    auth_client, patient, far_schedule
):
    AppointmentFactory(schedule=far_schedule)
    Notification.objects.all().delete()
    assert book(auth_client(patient), far_schedule).status_code == 400
    assert not Notification.objects.exists()


def test_a_change_that_rolls_back_leaves_no_notification(patient, far_schedule):
    from django.db import transaction

    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)

    def book_then_fail():
        with transaction.atomic():
            notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        book_then_fail()
    assert not Notification.objects.exists()


def test_a_patient_without_email_gets_a_skipped_email(auth_client, patient, far_schedule):
    patient.email = ""
    patient.save()
    book(auth_client(patient), far_schedule)
    email = Notification.objects.get(user=patient, channel="email", event="booked")
    assert (email.status, email.last_error) == ("skipped", "no email on file")


def test_a_channel_turned_off_is_skipped(auth_client, patient, far_schedule):
    NotificationPreference.objects.create(user=patient, sms=False)
    book(auth_client(patient), far_schedule)
    assert Notification.objects.get(user=patient, channel="sms", event="booked").status == (
        "skipped"
    )


def test_reminders_turned_off_write_skipped_reminders(auth_client, patient, far_schedule):
    NotificationPreference.objects.create(user=patient, reminders=False)
    book(auth_client(patient), far_schedule)
    statuses = set(Notification.objects.filter(event="reminder").values_list("status", flat=True))
    assert statuses == {"skipped"}


def test_the_doctor_cancelling_is_not_told_of_it(auth_client, patient, doctor, far_schedule):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    response = auth_client(doctor).post(f"/api/appointments/{appointment.pk}/cancel/")
    assert response.status_code == 200
    assert {row[0] for row in events(event__in=["cancelled", "declined"])} == {patient.pk}


def test_the_patient_cancelling_tells_the_doctor(auth_client, patient, doctor, far_schedule):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    auth_client(patient).post(f"/api/appointments/{appointment.pk}/cancel/")
    assert {row[0] for row in events(event="cancelled")} == {patient.pk, doctor.pk}


def test_an_admin_patch_emits_the_event_of_the_status_it_sets(
    auth_client, admin_user, patient, far_schedule
):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    auth_client(admin_user).patch(f"/api/appointments/{appointment.pk}/", {"status": "confirmed"})
    assert {row[2] for row in events()} == {"confirmed"}


def test_an_admin_patch_to_pending_announces_nothing(
    auth_client, admin_user, patient, far_schedule
):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule, status="confirmed")
    auth_client(admin_user).patch(f"/api/appointments/{appointment.pk}/", {"status": "pending"})
    assert events() == []


def test_a_cancellation_with_reason_declined_is_a_declined_notification(patient, far_schedule):
    from healthcare.events import emit

    appointment = AppointmentFactory(patient=patient, schedule=far_schedule, status="cancelled")
    emit("appointment_cancelled", obj=appointment, details={"reason": "declined"})
    assert {row[2] for row in events()} == {"declined"}


def test_a_decline_that_is_also_a_cancellation_is_one_notification(patient, far_schedule):
    from django.db import transaction

    from healthcare.events import emit

    appointment = AppointmentFactory(patient=patient, schedule=far_schedule, status="cancelled")
    with transaction.atomic():
        emit("appointment_declined", obj=appointment)
        emit("appointment_cancelled", obj=appointment, details={"reason": "declined"})
    assert events() == [
        (patient.pk, "email", "declined", "pending"),
        (patient.pk, "sms", "declined", "pending"),
    ]


def test_a_reschedule_is_one_notification_naming_the_new_appointment(patient, doctor, far_schedule):
    from django.db import transaction

    from healthcare.events import emit

    old = AppointmentFactory(patient=patient, schedule=far_schedule, status="cancelled")
    new = AppointmentFactory(
        patient=patient,
        schedule=far_schedule,
        appointment_time=old.appointment_time.replace(hour=10),
    )
    with transaction.atomic():
        emit("appointment_cancelled", obj=old, details={"reason": "rescheduled"})
        emit("appointment_rescheduled", obj=new, details={"rescheduled_from": old.pk})
    rows = Notification.objects.exclude(event="reminder")
    assert {(row.event, row.appointment_id) for row in rows} == {("rescheduled", new.pk)}


def test_a_reschedule_skips_the_old_appointments_reminders(auth_client, patient, far_schedule):
    from healthcare.events import emit

    book(auth_client(patient), far_schedule)
    old = AppointmentBooking.objects.get()
    old.status = "cancelled"
    old.save()
    new = AppointmentFactory(
        patient=patient, schedule=far_schedule, appointment_time=dt.time(10, 0)
    )
    emit("appointment_rescheduled", obj=new, details={"rescheduled_from": old.pk})
    old_reminders = Notification.objects.filter(appointment=old, event="reminder")
    assert set(old_reminders.values_list("status", flat=True)) == {"skipped"}
    assert Notification.objects.filter(appointment=new, event="reminder").exists()


def test_every_lifecycle_action_maps_to_its_event():
    from notifications.receivers import ACTION_EVENTS

    assert {
        "appointment_booked",
        "appointment_cancelled",
        "appointment_status_changed",
        "appointment_confirmed",
        "appointment_declined",
        "appointment_checked_in",
        "appointment_completed",
        "appointment_no_show",
        "appointment_rescheduled",
    } <= set(ACTION_EVENTS)


def test_the_rows_written_carry_the_model_defaults_and_only_due_pending_ones_are_queued(
    patient, doctor, far_schedule, settings, django_capture_on_commit_callbacks
):
    # The rows are inserted in one hand-written statement (notifications/services.py): what it
    # writes must be what the model would, and the ids it returns must match the rows.
    settings.REMINDER_OFFSETS_MINUTES = [1440, 120]
    NotificationPreference.objects.create(user=patient, sms=False)
    appointment = AppointmentFactory(patient=patient, doctor=doctor, schedule=far_schedule)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks() as callbacks:
        ids = notifications_record(
            event="booked", appointment_id=appointment.pk, actor_id=patient.pk
        )
    rows = {row.pk: row for row in Notification.objects.filter(appointment=appointment)}
    assert sorted(ids) == sorted(rows)
    assert {(r.attempts, r.claimed_until, r.sent_at) for r in rows.values()} == {(0, None, None)}
    assert all(r.created_at is not None for r in rows.values())
    # The patient's SMS is skipped with its reason; the doctor hears of the patient's booking.
    assert sorted(
        (r.user_id, r.channel, r.event, r.status, r.last_error)
        for r in rows.values()
        if r.event == "booked"
    ) == sorted(
        [
            (patient.pk, "email", "booked", "pending", ""),
            (patient.pk, "sms", "booked", "skipped", "SMS turned off"),
            (doctor.pk, "email", "booked", "pending", ""),
            (doctor.pk, "sms", "booked", "pending", ""),
        ]
    )
    start = timezone.make_aware(
        dt.datetime.combine(appointment.appointment_date, appointment.appointment_time)
    )
    reminders = sorted((r.due_at, r.channel) for r in rows.values() if r.event == "reminder")
    assert reminders == sorted(
        (start - dt.timedelta(minutes=m), c) for m in (1440, 120) for c in ("email", "sms")
    )
    # Only the pending rows due now go to delivery after the commit (not the skipped SMS, not
    # the reminders).
    (batch,) = callbacks
    assert sorted(batch.ids) == sorted(
        pk for pk, r in rows.items() if r.event == "booked" and r.status == "pending"
    )


def test_every_column_the_outbox_insert_leaves_out_may_be_null():
    # A field added to Notification later, with a default only Python knows, would get NULL from
    # the hand-written INSERT (notifications/services.py): it must be named there first.
    named = {name.strip() for name in _INSERT_SQL.split("(", 1)[1].split(")", 1)[0].split(",")}
    left_out = [f for f in Notification._meta.concrete_fields if f.column not in named]
    assert [f.name for f in left_out if not f.null and not f.primary_key] == []
    assert Notification._meta.get_field("attempts").default == 0  # written as a literal 0

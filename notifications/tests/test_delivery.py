"""Delivery: a real SMTP server and SMS gateway receive the messages; failures are retried."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from notifications import sms
from notifications.models import Notification
from notifications.services import notifications_deliver, notifications_record

pytestmark = pytest.mark.django_db

BOOK = "/api/appointments/book/"


def book(client, schedule, time="09:00"):
    return client.post(
        BOOK,
        {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": time},
    )


def test_a_booking_emails_the_patient_through_smtp_after_commit(
    auth_client, patient, far_schedule, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert book(auth_client(patient), far_schedule).status_code == 201
    to_patient = [m for m in smtp_sink.messages if m["X-Rcpt-To"] == patient.email]
    assert len(to_patient) == 1
    body = to_patient[0].get_payload()
    assert [far_schedule.doctor.full_name in body, "09:00" in body, "Dhaka" in body] == [True] * 3


def test_a_sent_notification_is_marked_sent_with_one_attempt(
    auth_client, patient, far_schedule, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(auth_client(patient), far_schedule)
    row = Notification.objects.get(user=patient, channel="email", event="booked")
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)


def test_an_sms_is_posted_to_the_gateway_with_the_bearer_token(
    auth_client, patient, far_schedule, sms_gateway, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(auth_client(patient), far_schedule)
    to_patient = [r for r in sms_gateway.requests if r["json"]["to"] == patient.mobile_number]
    assert len(to_patient) == 1
    assert to_patient[0]["headers"]["Authorization"] == "Bearer gateway-token-123"


def test_an_sms_names_only_clinic_doctor_date_and_time(patient, doctor, far_schedule):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule, notes="Chest pain")
    notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    notifications_deliver()
    text = next(m["text"] for m in sms.outbox if m["to"] == patient.mobile_number)
    assert [doctor.full_name in text, "09:00" in text] == [True, True]
    assert [word for word in ("Cardiology", "Chest pain", "Dhaka") if word in text] == []


def test_no_text_carries_another_persons_number(patient, doctor, far_schedule, mailoutbox):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    notifications_deliver()
    texts = [m.subject + m.body for m in mailoutbox] + [m["text"] for m in sms.outbox]
    digits = {patient.mobile_number[-10:], doctor.mobile_number[-10:]}
    assert not any(number in re.sub(r"\D", "", text) for text in texts for number in digits)


def test_a_failing_gateway_is_retried_with_backoff(patient, far_schedule, sms_gateway):
    sms_gateway.status = 503
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    before = timezone.now()
    notifications_deliver()
    row = Notification.objects.get(user=patient, channel="sms", event="booked")
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "SMS gateway answered 503")
    assert row.due_at >= before + dt.timedelta(seconds=10)


def test_a_notification_failing_every_retry_ends_failed(patient, far_schedule, settings):
    settings.NOTIFY_RETRY_SECONDS = [0, 0]
    settings.SMS_URL = "http://127.0.0.1:9/unreachable"
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    for _ in range(4):
        notifications_deliver()
    row = Notification.objects.get(user=patient, channel="sms", event="booked")
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error.startswith("SMS gateway unreachable")


def test_sms_past_the_hourly_limit_are_skipped(patient, far_schedule, settings):
    settings.SMS_MAX_PER_HOUR = 1
    first = AppointmentFactory(patient=patient, schedule=far_schedule)
    second = AppointmentFactory(patient=patient, schedule=far_schedule, appointment_time="10:00")
    for appointment in (first, second):
        notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    notifications_deliver()
    statuses = Notification.objects.filter(user=patient, channel="sms", event="booked")
    assert sorted(statuses.values_list("status", flat=True)) == ["sent", "skipped"]


def test_a_claimed_notification_is_not_claimed_again(patient, far_schedule):
    from notifications.services import _claim

    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    first = _claim()
    assert len(first) == 4
    assert _claim() == []


def test_a_sent_notification_is_not_sent_again(patient, far_schedule):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    ids = notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    notifications_deliver()
    assert notifications_deliver(ids=ids) == 0
    assert len([m for m in sms.outbox if m["to"] == patient.mobile_number]) == 1


def _pending_bookings(count, schedule_factory):
    for _ in range(count):
        appointment = AppointmentFactory(schedule=schedule_factory())
        notifications_record(event="booked", appointment_id=appointment.pk, actor_id=None)


@pytest.mark.parametrize("count", [1, 10])
def test_a_delivery_batch_runs_a_fixed_number_of_queries(count):
    from doctors.tests.factories import ScheduleFactory

    _pending_bookings(count, ScheduleFactory)
    with CaptureQueriesContext(connection) as context:
        claimed = notifications_deliver()
    assert claimed == count * 4
    # The claim, the rows with what the texts need, the SMS counts, the outcomes.
    assert len(context.captured_queries) == 4


def _reminders(patient):
    return Notification.objects.filter(user=patient, event="reminder", channel="email")


def test_a_reminder_is_not_sent_before_it_is_due(
    auth_client, patient, far_schedule, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(auth_client(patient), far_schedule)
    notifications_deliver()
    assert set(_reminders(patient).values_list("status", flat=True)) == {"pending"}
    assert [m for m in smtp_sink.messages if "eminder" in m["Subject"]] == []


def test_a_reminder_falling_due_is_sent_once(
    auth_client, patient, far_schedule, smtp_sink, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        book(auth_client(patient), far_schedule)
    first = _reminders(patient).order_by("due_at").first()
    Notification.objects.filter(pk=first.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    notifications_deliver()
    notifications_deliver()
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("sent", 1)
    assert _reminders(patient).filter(status="pending").count() == 1


def test_a_reminder_not_delivered_before_the_start_is_skipped(
    auth_client, patient, doctor, smtp_sink, django_capture_on_commit_callbacks
):
    # Yesterday's visit whose reminder was never delivered (the worker was down meanwhile).
    appointment = AppointmentFactory(
        patient=patient, schedule__doctor=doctor,
        schedule__date=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    reminder = Notification.objects.create(
        user=patient,
        channel="email",
        event="reminder",
        appointment=appointment,
        due_at=timezone.now() - dt.timedelta(days=2),
    )
    notifications_deliver()
    reminder.refresh_from_db()
    assert reminder.status == "skipped"
    assert smtp_sink.messages == []

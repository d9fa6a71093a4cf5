"""`Idempotency-Key` on the appointment POST actions: stored answers, replays, refusals."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from appointments.models import AppointmentBooking, IdempotencyRecord
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

BOOK = "/api/appointments/book/"


def booking(schedule, time="09:00"):
    return {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": time}


def post(client, path, body=None, key="key-1"):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_lost_answer_retried_with_the_same_key_gets_the_same_201_and_one_booking(
    auth_client, patient
):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    first = post(client, BOOK, booking(schedule))
    # The answer is "lost" on the way back; the app retries the very same request.
    retry = post(client, BOOK, booking(schedule))
    assert (retry.status_code, retry.content) == (first.status_code, first.content)
    assert first.status_code == 201
    assert AppointmentBooking.objects.count() == 1


def test_a_replay_carries_idempotent_replayed(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    first = post(client, BOOK, booking(schedule))
    retry = post(client, BOOK, booking(schedule))
    assert "Idempotent-Replayed" not in first
    assert retry["Idempotent-Replayed"] == "true"


def test_a_replay_has_no_effect_of_its_own(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    post(client, BOOK, booking(schedule))
    post(client, BOOK, booking(schedule))
    assert AuditLogEntry.objects.filter(action="appointment_booked").count() == 1


def test_body_key_order_does_not_matter(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    body = booking(schedule)
    first = post(client, BOOK, body)
    reordered = dict(reversed(list(body.items())))
    assert post(client, BOOK, reordered).content == first.content


def test_the_same_key_with_another_body_is_422_idempotency_key_reused(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    post(client, BOOK, booking(schedule))
    response = post(client, BOOK, booking(schedule, "09:30"))
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert AppointmentBooking.objects.count() == 1


def test_the_same_key_on_another_path_is_422(auth_client, patient):
    appointment = AppointmentFactory(patient=patient)
    client = auth_client(patient)
    post(client, BOOK, booking(ScheduleFactory()))
    response = post(client, f"/api/appointments/{appointment.pk}/cancel/")
    assert response.status_code == 422
    assert AppointmentBooking.objects.get(pk=appointment.pk).status == "pending"


def test_keys_are_per_user(auth_client):
    schedule = ScheduleFactory()
    first = post(auth_client(PatientFactory()), BOOK, booking(schedule, "09:00"))
    second = post(auth_client(PatientFactory()), BOOK, booking(schedule, "09:30"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert AppointmentBooking.objects.count() == 2


def test_a_refusal_of_a_booking_rule_is_stored_and_replayed(auth_client, patient):
    schedule = ScheduleFactory()
    AppointmentFactory(schedule=schedule)
    client = auth_client(patient)
    first = post(client, BOOK, booking(schedule))
    assert first.json()["code"] == "slot_taken"
    AppointmentBooking.objects.all().delete()
    retry = post(client, BOOK, booking(schedule))
    assert (retry.status_code, retry.content) == (400, first.content)
    assert retry["Idempotent-Replayed"] == "true"
    assert not AppointmentBooking.objects.exists()


def test_an_invalid_body_is_not_stored(auth_client, patient):
    client = auth_client(patient)
    assert post(client, BOOK, {"doctor": "x"}).status_code == 400
    assert not IdempotencyRecord.objects.exists()


def test_a_404_is_not_stored(auth_client, patient):
    post(auth_client(patient), "/api/appointments/999999/cancel/")
    assert not IdempotencyRecord.objects.exists()


def test_a_403_is_not_stored(auth_client):
    appointment = AppointmentFactory()
    response = post(
        auth_client(appointment.patient), f"/api/appointments/{appointment.pk}/confirm/"
    )
    assert response.status_code == 403
    assert not IdempotencyRecord.objects.exists()


def test_a_cancel_retried_is_replayed_not_already_final(auth_client):
    appointment = AppointmentFactory()
    client = auth_client(appointment.patient)
    path = f"/api/appointments/{appointment.pk}/cancel/"
    first = post(client, path)
    retry = post(client, path)
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.content == first.content


def test_a_lifecycle_action_retried_is_replayed(auth_client):
    appointment = AppointmentFactory()
    client = auth_client(appointment.doctor)
    path = f"/api/appointments/{appointment.pk}/confirm/"
    post(client, path)
    assert post(client, path)["Idempotent-Replayed"] == "true"


def test_a_reschedule_retried_makes_one_new_appointment(auth_client):
    appointment = AppointmentFactory()
    client = auth_client(appointment.patient)
    path = f"/api/appointments/{appointment.pk}/reschedule/"
    body = {"schedule": appointment.schedule_id, "appointment_time": "10:00"}
    first = post(client, path, body)
    retry = post(client, path, body)
    assert (first.status_code, retry.content) == (201, first.content)
    assert AppointmentBooking.objects.count() == 2


def test_one_pair_of_surrounding_quotes_is_ignored(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    first = post(client, BOOK, booking(schedule), key="abc")
    retry = post(client, BOOK, booking(schedule), key='"abc"')
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("key", ["", "has space", "é", "x" * 256, '""', "tab\there"])
def test_a_malformed_key_is_400_idempotency_key_invalid(auth_client, patient, key):
    response = post(auth_client(patient), BOOK, booking(ScheduleFactory()), key=key)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not AppointmentBooking.objects.exists()


def test_a_255_character_key_is_accepted(auth_client, patient):
    response = post(auth_client(patient), BOOK, booking(ScheduleFactory()), key="k" * 255)
    assert response.status_code == 201


def test_without_the_header_nothing_is_stored(auth_client, patient):
    auth_client(patient).post(BOOK, booking(ScheduleFactory()), format="json")
    assert not IdempotencyRecord.objects.exists()


def test_the_stored_answer_is_the_response_json(auth_client, patient):
    response = post(auth_client(patient), BOOK, booking(ScheduleFactory()))
    record = IdempotencyRecord.objects.get()
    assert (record.status_code, json.loads(record.body)) == (201, response.json())


def test_a_key_older_than_24_hours_is_free_again(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    post(client, BOOK, booking(schedule))
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    response = post(client, BOOK, booking(schedule, "09:30"))
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_the_purge_command_deletes_only_records_older_than_24_hours(auth_client, patient):
    client = auth_client(patient)
    schedule = ScheduleFactory()
    post(client, BOOK, booking(schedule), key="old")
    post(client, BOOK, booking(schedule, "09:30"), key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - dt.timedelta(hours=25)
    )
    call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]

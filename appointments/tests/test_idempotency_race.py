"""Races of one Idempotency-Key (PostgreSQL, real threads).

Twenty copies of one booking sent at once with one key: the first inserts the key's row inside
its transaction; the others wait on the unique index for that transaction (at most
`LOCK_WAIT_MS`), then either replay its committed answer or answer 409 `idempotency_in_flight`.
Exactly one booking exists, and nothing is left behind for a request that did not win.
"""

import threading

from django.db import connection, transaction

from appointments.models import AppointmentBooking, IdempotencyRecord
from doctors.tests.factories import ScheduleFactory
from healthcare.tests.concurrency import RACE_MARKS, client_for, race
from users.tests.factories import PatientFactory

pytestmark = RACE_MARKS


def test_twenty_concurrent_requests_with_one_key_make_one_booking_and_one_answer():
    schedule = ScheduleFactory()
    patient = PatientFactory()
    body = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": "09:00"}

    def book():
        return client_for(patient).post(
            "/api/appointments/book/", body, format="json", HTTP_IDEMPOTENCY_KEY="one-key"
        )

    responses = race(*[book for _ in range(20)])

    assert {r.status_code for r in responses} <= {201, 409}
    created = [r for r in responses if r.status_code == 201]
    assert created
    assert len({r.content for r in created}) == 1
    assert all(
        r.json()["code"] == "idempotency_in_flight" for r in responses if r.status_code == 409
    )
    assert AppointmentBooking.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_a_first_request_that_fails_leaves_no_key_behind():
    patient = PatientFactory()
    body = {"doctor": 999999, "schedule": 999999, "appointment_time": "09:00"}

    def book():
        return client_for(patient).post(
            "/api/appointments/book/", body, format="json", HTTP_IDEMPOTENCY_KEY="k"
        )

    responses = race(book, book)

    # A booking rule's refusal is the action's own answer: stored once, replayed to the other.
    assert [r.status_code for r in responses] in ([400, 400], [400, 409], [409, 400])
    assert IdempotencyRecord.objects.filter(status_code__isnull=True).count() == 0


def test_a_repeat_while_the_first_still_runs_is_409_and_the_key_is_free_after_a_rollback():
    schedule = ScheduleFactory()
    patient = PatientFactory()
    body = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": "09:00"}
    holding, release = threading.Event(), threading.Event()

    def first_request_in_flight():
        # The first request's transaction: its key row inserted, its action still running.
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(user=patient, key="slow", fingerprint="x")
                holding.set()
                release.wait(10)
                raise RuntimeError("the first request fails")
        except RuntimeError:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=first_request_in_flight)
    thread.start()
    holding.wait(10)
    client = client_for(patient)
    repeat = client.post(
        "/api/appointments/book/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow"
    )
    release.set()
    thread.join()

    assert (repeat.status_code, repeat.json()["code"]) == (409, "idempotency_in_flight")
    assert not IdempotencyRecord.objects.exists()
    retry = client.post("/api/appointments/book/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    assert retry.status_code == 201

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from appointments.models import AppointmentBooking
from appointments.tests.clock import freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.models import DoctorDetail
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.db import prepared
from healthcare.tests.errors import codes
from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/appointments/book/"


def body(slot_schedule, time="09:00", **overrides):
    data = {
        "doctor": slot_schedule.doctor_id,
        "schedule": slot_schedule.pk,
        "appointment_time": time,
    }
    data.update(overrides)
    return data


def test_patient_books_a_free_slot(auth_client, patient):
    schedule = ScheduleFactory()
    response = auth_client(patient).post(URL, body(schedule, notes="Chest pain"))
    assert response.status_code == 201
    stored = AppointmentBooking.objects.get()
    assert (stored.patient_id, stored.schedule_id, stored.appointment_time) == (
        patient.pk,
        schedule.pk,
        dt.time(9, 0),
    )


def test_booking_response_has_the_contract_fields(auth_client, patient):
    schedule = ScheduleFactory()
    data = auth_client(patient).post(URL, body(schedule)).json()
    assert set(data) == {
        "id",
        "patient",
        "patient_name",
        "doctor",
        "doctor_name",
        "schedule",
        "appointment_date",
        "appointment_time",
        "starts_at",
        "ends_at",
        "status",
        "notes",
        "fee",
        "created_at",
        "cancellation_reason",
        "cancelled_by",
        "cancelled_at",
        "cancellation_note",
        "rescheduled_from",
        "rescheduled_to",
    }
    assert (data["status"], data["appointment_time"], data["fee"]) == ("pending", "09:00", "500.00")
    assert data["doctor_name"] == schedule.doctor.full_name


def test_booking_through_the_real_token_endpoint_works(api_client, patient):
    tokens = api_client.post(
        "/api/token/", {"mobile_number": patient.mobile_number, "password": PASSWORD}
    ).json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.post(URL, body(ScheduleFactory()))
    assert response.status_code == 201


def test_booking_accepts_a_time_with_seconds(auth_client, patient):
    response = auth_client(patient).post(URL, body(ScheduleFactory(), time="09:30:00"))
    assert response.status_code == 201
    assert AppointmentBooking.objects.get().appointment_time == dt.time(9, 30)


def test_booking_ignores_a_status_sent_by_the_patient(auth_client, patient):
    auth_client(patient).post(URL, body(ScheduleFactory(), status="confirmed"))
    assert AppointmentBooking.objects.get().status == "pending"


def test_anonymous_booking_is_401(api_client):
    response = api_client.post(URL, body(ScheduleFactory()))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_doctor_cannot_book(auth_client, doctor):
    response = auth_client(doctor).post(URL, body(ScheduleFactory()))
    assert response.status_code == 403
    assert not AppointmentBooking.objects.exists()


def test_admin_cannot_book_through_the_patient_endpoint(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body(ScheduleFactory()))
    assert response.status_code == 403


def test_booking_with_missing_fields_is_400(auth_client, patient):
    response = auth_client(patient).post(URL, {})
    assert response.status_code == 400
    assert {"doctor", "schedule", "appointment_time"} <= set(response.json())


def test_booking_with_a_malformed_time_is_400(auth_client, patient):
    response = auth_client(patient).post(URL, body(ScheduleFactory(), time="nine"))
    assert response.status_code == 400
    assert "appointment_time" in response.json()


def test_booking_with_a_huge_doctor_id_is_400_not_500(auth_client, patient):
    response = auth_client(patient).post(URL, body(ScheduleFactory(), doctor=10**20))
    assert response.status_code == 400
    assert "doctor" in response.json()


def test_patient_cannot_book_an_unknown_doctor(auth_client, patient):
    schedule = ScheduleFactory()
    response = auth_client(patient).post(URL, body(schedule, doctor=schedule.doctor_id + 999))
    assert response.status_code == 400
    assert response.json()["code"] == "doctor_unavailable"
    assert codes(response.json()) == [("doctor", "doctor_unavailable")]


def test_patient_cannot_book_a_patient_as_doctor(auth_client, patient):
    other = PatientFactory()
    response = auth_client(patient).post(URL, body(ScheduleFactory(), doctor=other.pk))
    assert response.status_code == 400
    assert response.json()["code"] == "doctor_unavailable"
    assert codes(response.json()) == [("doctor", "doctor_unavailable")]


def test_patient_cannot_book_an_unverified_doctor(auth_client, patient):
    schedule = ScheduleFactory(doctor__doctor_detail__is_verified=False)
    response = auth_client(patient).post(URL, body(schedule))
    assert response.status_code == 400
    assert response.json()["code"] == "doctor_unavailable"
    assert codes(response.json()) == [("doctor", "doctor_unavailable")]
    assert not AppointmentBooking.objects.exists()


def test_patient_cannot_book_an_inactive_doctor(auth_client, patient):
    schedule = ScheduleFactory(doctor__is_active=False)
    response = auth_client(patient).post(URL, body(schedule))
    assert response.status_code == 400
    assert response.json()["code"] == "doctor_unavailable"
    assert codes(response.json()) == [("doctor", "doctor_unavailable")]


def test_patient_cannot_book_an_unknown_schedule(auth_client, patient):
    schedule = ScheduleFactory()
    response = auth_client(patient).post(URL, body(schedule, schedule=schedule.pk + 999))
    assert response.status_code == 400
    assert response.json()["code"] == "schedule_invalid"
    assert codes(response.json()) == [("schedule", "schedule_invalid")]


def test_patient_cannot_book_another_doctors_schedule(auth_client, patient):
    schedule = ScheduleFactory()
    other_doctor = DoctorFactory()
    response = auth_client(patient).post(URL, body(schedule, doctor=other_doctor.pk))
    assert response.status_code == 400
    assert response.json()["code"] == "schedule_invalid"
    assert codes(response.json()) == [("schedule", "schedule_invalid")]


def test_patient_cannot_book_a_time_off_the_slot_grid(auth_client, patient):
    response = auth_client(patient).post(URL, body(ScheduleFactory(), time="09:15"))
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_slot"
    assert codes(response.json()) == [("appointment_time", "not_a_slot")]


def test_patient_cannot_book_a_slot_ending_after_the_schedule(auth_client, patient):
    schedule = ScheduleFactory(end_time=dt.time(10, 15))
    response = auth_client(patient).post(URL, body(schedule, time="10:00"))
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_slot"
    assert codes(response.json()) == [("appointment_time", "not_a_slot")]


def test_patient_cannot_book_before_the_schedule_starts(auth_client, patient):
    response = auth_client(patient).post(URL, body(ScheduleFactory(), time="08:30"))
    assert response.status_code == 400


def test_patient_cannot_book_a_past_slot(auth_client, patient):
    schedule = ScheduleFactory(date=timezone.localdate() - dt.timedelta(days=1))
    response = auth_client(patient).post(URL, body(schedule))
    assert response.status_code == 400
    assert response.json()["code"] == "slot_started"
    assert codes(response.json()) == [("appointment_time", "slot_started")]


def test_patient_cannot_book_a_slot_starting_now(auth_client, patient, monkeypatch):
    freeze_local_time(monkeypatch, 10, 0)
    schedule = ScheduleFactory(date=timezone.localdate())
    response = auth_client(patient).post(URL, body(schedule, time="10:00"))
    assert response.status_code == 400
    assert response.json()["code"] == "slot_started"
    assert codes(response.json()) == [("appointment_time", "slot_started")]


def test_patient_can_book_a_later_slot_today(auth_client, patient, monkeypatch):
    freeze_local_time(monkeypatch, 10, 0)
    schedule = ScheduleFactory(date=timezone.localdate())
    response = auth_client(patient).post(URL, body(schedule, time="10:30"))
    assert response.status_code == 201


def test_patient_cannot_book_a_taken_slot(auth_client, patient):
    existing = AppointmentFactory()
    response = auth_client(patient).post(URL, body(existing.schedule))
    assert response.status_code == 400
    assert response.json()["code"] == "slot_taken"
    assert codes(response.json()) == [("appointment_time", "slot_taken")]
    assert AppointmentBooking.objects.count() == 1


def test_patient_can_book_a_slot_freed_by_a_cancellation(auth_client, patient):
    existing = AppointmentFactory(status="cancelled")
    response = auth_client(patient).post(URL, body(existing.schedule))
    assert response.status_code == 201


@pytest.mark.parametrize("status", ["completed", "no_show"])
def test_a_finished_booking_does_not_block_the_slot(auth_client, patient, status):
    existing = AppointmentFactory(status=status)
    response = auth_client(patient).post(URL, body(existing.schedule))
    assert response.status_code == 201


def test_a_confirmed_booking_blocks_the_slot(auth_client, patient):
    existing = AppointmentFactory(status="confirmed")
    response = auth_client(patient).post(URL, body(existing.schedule))
    assert response.status_code == 400


def test_patient_cannot_hold_two_appointments_at_the_same_time(auth_client, patient):
    first = AppointmentFactory(patient=patient)
    other = ScheduleFactory(date=first.appointment_date)
    response = auth_client(patient).post(URL, body(other))
    assert response.status_code == 400
    assert response.json()["code"] == "patient_busy"
    assert codes(response.json()) == [("appointment_time", "patient_busy")]
    assert AppointmentBooking.objects.count() == 1


def test_patient_may_book_several_slots_at_different_times(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    codes = [client.post(URL, body(schedule, time=t)).status_code for t in ("09:00", "09:30")]
    assert codes == [201, 201]


def test_fee_is_copied_from_the_doctor_at_booking_time(auth_client, patient):
    schedule = ScheduleFactory(doctor__doctor_detail__consultation_fee=Decimal("800.00"))
    response = auth_client(patient).post(URL, body(schedule))
    assert response.json()["fee"] == "800.00"


def test_fee_snapshot_survives_a_fee_change(auth_client, patient):
    schedule = ScheduleFactory()
    auth_client(patient).post(URL, body(schedule))
    DoctorDetail.objects.filter(pk=schedule.doctor_id).update(consultation_fee=Decimal("999.00"))
    assert AppointmentBooking.objects.get().fee == Decimal("500.00")


# --- Concurrency: PostgreSQL only, since SQLite ignores row locks and serialises writers.

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises all writers and ignores row locks; the race needs PostgreSQL",
)


def _race(posts):
    """Run each (client, body) POST in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(posts))
    codes = [None] * len(posts)

    def run(index, client, data):
        try:
            barrier.wait()
            codes[index] = client.post(URL, data, format="json").status_code
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, client, data))
        for i, (client, data) in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def _client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_patients_racing_for_one_slot_get_exactly_one_booking():
    schedule = ScheduleFactory()
    posts = [(_client_for(PatientFactory()), body(schedule)) for _ in range(24)]
    codes = _race(posts)
    assert sorted(codes) == [201] + [400] * 23
    assert AppointmentBooking.objects.count() == 1


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_patient_racing_for_twenty_doctors_at_one_time_gets_one_booking():
    patient = PatientFactory()
    schedules = [ScheduleFactory() for _ in range(24)]
    posts = [(_client_for(patient), body(schedule)) for schedule in schedules]
    codes = _race(posts)
    assert sorted(codes) == [201] + [400] * 23
    assert AppointmentBooking.objects.filter(patient=patient).count() == 1


# A real transaction (not the test's savepoint) so the statements are the production ones.
@pytest.mark.django_db(transaction=True)
def test_a_booking_costs_a_fixed_number_of_statements(auth_client, patient):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    with CaptureQueriesContext(connection) as context:
        response = client.post(URL, body(schedule))
    assert response.status_code == 201
    # Statements that ran prepared (healthcare/db/prepared.py) counted as what they are.
    written = [prepared.written_sql(connection, q["sql"]) for q in context.captured_queries]
    statements = [sql.split()[0].upper().lstrip("(") for sql in written]
    # Auth's user, then one transaction: schedule + doctor locked in one SELECT, the time off,
    # closures (and hours) of its date in one SELECT (doctors/availability.py), one conflict
    # check, the booking, its audit row, the notification outbox (the users' emails and
    # preferences with whether any webhook is active, in one SELECT; its rows; the booking is
    # not read again). No savepoint, no re-read to render.
    # After the commit, with no broker, the in-process delivery: claim, read, SMS counts,
    # outcomes.
    assert [s for s in statements if s not in {"BEGIN", "COMMIT"}] == [
        "SELECT",
        "SELECT",
        "SELECT",
        "SELECT",
        "INSERT",
        "INSERT",
        "SELECT",
        "INSERT",
        "UPDATE",
        "SELECT",
        "SELECT",
        "UPDATE",
    ]

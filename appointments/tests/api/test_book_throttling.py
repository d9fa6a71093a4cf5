"""POST /api/appointments/book/ is limited per patient (`THROTTLE_BOOK`)."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from appointments.models import AppointmentBooking
from doctors.tests.factories import ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/appointments/book/"
SLOTS = ["09:00", "09:30", "10:00", "10:30"]


@pytest.fixture
def book_rate(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "book", "3/min")


def book(client, schedule, time):
    body = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": time}
    return client.post(URL, body)


def test_bookings_past_the_rate_are_429_with_retry_after(auth_client, patient, book_rate):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    statuses = [book(client, schedule, time).status_code for time in SLOTS]
    assert statuses == [201, 201, 201, 429]
    response = book(client, ScheduleFactory(), "09:00")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_throttled_booking_stores_nothing(auth_client, patient, book_rate):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    for time in SLOTS:
        book(client, schedule, time)
    assert AppointmentBooking.objects.count() == 3


def test_the_book_limit_is_per_patient(auth_client, patient, book_rate):
    schedule = ScheduleFactory()
    client = auth_client(patient)
    for time in SLOTS[:3]:
        book(client, schedule, time)
    assert book(auth_client(PatientFactory()), schedule, SLOTS[3]).status_code == 201

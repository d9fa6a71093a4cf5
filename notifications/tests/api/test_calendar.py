import datetime as dt
import re

import icalendar
import pytest
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db

URL = "/api/profile/calendar/"
ROTATE = "/api/profile/calendar/rotate/"


def feed_path(client) -> str:
    return client.get(URL).json()["url"].removeprefix("http://testserver")


def events(response):
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


@pytest.fixture
def booking(patient, doctor):
    day = timezone.localdate() + dt.timedelta(days=2)
    return AppointmentFactory(patient=patient, schedule=ScheduleFactory(doctor=doctor, date=day))


def test_anonymous_callers_get_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_a_user_gets_an_absolute_ics_url(auth_client, patient):
    url = auth_client(patient).get(URL).json()["url"]
    assert re.fullmatch(r"http://testserver/api/calendar/[0-9]+\.[A-Za-z0-9_-]{43}\.ics", url)


def test_the_url_stays_the_same_between_reads(auth_client, patient):
    client = auth_client(patient)
    assert client.get(URL).json() == client.get(URL).json()


def test_the_feed_is_text_calendar_without_other_auth(auth_client, api_client, patient, booking):
    response = api_client.get(feed_path(auth_client(patient)))
    assert [response.status_code, response["Content-Type"]] == [
        200,
        "text/calendar; charset=utf-8",
    ]


def test_a_patients_feed_has_one_event_per_appointment_in_utc(
    auth_client, api_client, patient, booking
):
    (event,) = events(api_client.get(feed_path(auth_client(patient))))
    start = event.decoded("dtstart")
    assert [start.utcoffset(), str(event["uid"])] == [
        dt.timedelta(0),
        f"appointment-{booking.pk}@appointments.healthcare",
    ]


def test_an_event_names_the_doctor_and_the_doctors_location(
    auth_client, api_client, patient, booking
):
    (event,) = events(api_client.get(feed_path(auth_client(patient))))
    assert [str(event["summary"]), str(event["location"])] == [
        f"Appointment with {booking.doctor.full_name}",
        "Dhaka",
    ]


def test_a_doctors_feed_names_the_patient(auth_client, api_client, doctor, booking):
    (event,) = events(api_client.get(feed_path(auth_client(doctor))))
    assert str(event["summary"]) == f"Appointment with {booking.patient.full_name}"


def test_the_feed_holds_no_mobile_number(auth_client, api_client, doctor, booking):
    body = api_client.get(feed_path(auth_client(doctor))).content.decode()
    assert booking.patient.mobile_number not in body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", "TENTATIVE"),
        ("confirmed", "CONFIRMED"),
        ("checked_in", "CONFIRMED"),
        ("completed", "CONFIRMED"),
        ("cancelled", "CANCELLED"),
        ("no_show", "CANCELLED"),
    ],
)
def test_the_event_status_follows_the_appointment(
    auth_client, api_client, patient, booking, status, expected
):
    booking.status = status
    booking.save()
    (event,) = events(api_client.get(feed_path(auth_client(patient))))
    assert str(event["status"]) == expected


def test_appointments_older_than_30_days_are_left_out(auth_client, api_client, patient, doctor):
    old = timezone.localdate() - dt.timedelta(days=31)
    AppointmentFactory(patient=patient, schedule=ScheduleFactory(doctor=doctor, date=old))
    assert events(api_client.get(feed_path(auth_client(patient)))) == []


def test_rotate_gives_a_new_url_and_the_old_one_is_a_404(auth_client, api_client, patient):
    client = auth_client(patient)
    old = feed_path(client)
    response = client.post(ROTATE)
    assert [response.status_code, api_client.get(old).status_code] == [200, 404]
    assert api_client.get(response.json()["url"]).status_code == 200


def test_rotate_is_audited(auth_client, patient):
    auth_client(patient).post(ROTATE)
    assert AuditLogEntry.objects.filter(action="calendar_rotated", actor=patient).exists()


def test_a_wrong_secret_is_a_404(auth_client, api_client, patient):
    path = feed_path(auth_client(patient))
    user_id = path.split("/")[-1].split(".")[0]
    assert api_client.get(f"/api/calendar/{user_id}.{'A' * 43}.ics").status_code == 404


def test_a_deactivated_users_feed_is_a_404(auth_client, api_client, patient):
    path = feed_path(auth_client(patient))
    patient.is_active = False
    patient.save()
    assert api_client.get(path).status_code == 404


def test_the_feed_runs_a_fixed_number_of_queries(
    auth_client, api_client, patient, doctor, booking, django_assert_num_queries
):
    path = feed_path(auth_client(patient))
    with django_assert_num_queries(2):  # the feed with its user, the appointments
        api_client.get(path)
    later = timezone.localdate() + dt.timedelta(days=3)
    AppointmentFactory(patient=patient, schedule=ScheduleFactory(doctor=doctor, date=later))
    with django_assert_num_queries(2):
        api_client.get(path)

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/profile/appointments/"


def many_appointments(n, *, patient, doctor):
    """`n` bookings of one patient with one doctor, at distinct slots over consecutive days."""
    made = []
    day = 1
    while len(made) < n:
        schedule = ScheduleFactory(
            doctor=doctor,
            date=timezone.localdate() + dt.timedelta(days=day),
            start_time=dt.time(0, 0),
            end_time=dt.time(12, 0),
        )
        for k in range(min(24, n - len(made))):
            made.append(
                AppointmentFactory(
                    patient=patient,
                    schedule=schedule,
                    appointment_time=dt.time(k // 2, 30 * (k % 2)),
                )
            )
        day += 1
    return made


def ids(response):
    return [row["id"] for row in response.json()["results"]]


def test_patient_sees_only_their_own_bookings(auth_client, patient):
    mine = AppointmentFactory(patient=patient)
    AppointmentFactory()
    response = auth_client(patient).get(URL)
    assert response.status_code == 200
    assert ids(response) == [mine.pk]


def test_doctor_sees_only_appointments_with_them(auth_client):
    mine = AppointmentFactory()
    AppointmentFactory()
    response = auth_client(mine.doctor).get(URL)
    assert ids(response) == [mine.pk]


def test_admin_gets_an_empty_page(auth_client, admin_user):
    AppointmentFactory()
    response = auth_client(admin_user).get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_anonymous_list_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_list_is_ordered_by_date_then_time(auth_client, patient):
    doctor = DoctorFactory()
    late = ScheduleFactory(doctor=doctor, date=timezone.localdate() + dt.timedelta(days=3))
    early = ScheduleFactory(doctor=doctor, date=timezone.localdate() + dt.timedelta(days=2))
    a = AppointmentFactory(patient=patient, schedule=late, appointment_time=dt.time(9, 0))
    b = AppointmentFactory(patient=patient, schedule=early, appointment_time=dt.time(10, 0))
    c = AppointmentFactory(patient=patient, schedule=early, appointment_time=dt.time(9, 30))
    assert ids(auth_client(patient).get(URL)) == [c.pk, b.pk, a.pk]


def test_status_filter_narrows_the_list(auth_client, patient):
    doctor = DoctorFactory()
    schedule = ScheduleFactory(doctor=doctor)
    AppointmentFactory(patient=patient, schedule=schedule, status="cancelled")
    pending = AppointmentFactory(patient=patient, schedule=schedule, appointment_time=dt.time(10))
    assert ids(auth_client(patient).get(URL, {"status": "pending"})) == [pending.pk]


def test_unknown_status_filter_is_400(auth_client, patient):
    response = auth_client(patient).get(URL, {"status": "done"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_date_range_is_inclusive(auth_client, patient):
    doctor = DoctorFactory()
    today = timezone.localdate()
    made = [
        AppointmentFactory(
            patient=patient,
            schedule=ScheduleFactory(doctor=doctor, date=today + dt.timedelta(days=d)),
        )
        for d in (1, 2, 3, 4)
    ]
    params = {
        "date_from": (today + dt.timedelta(days=2)).isoformat(),
        "date_to": (today + dt.timedelta(days=3)).isoformat(),
    }
    assert ids(auth_client(patient).get(URL, params)) == [made[1].pk, made[2].pk]


def test_malformed_date_from_is_400(auth_client, patient):
    response = auth_client(patient).get(URL, {"date_from": "2026-13-01"})
    assert response.status_code == 400
    assert "date_from" in response.json()


def test_malformed_date_to_is_400(auth_client, patient):
    response = auth_client(patient).get(URL, {"date_to": "tomorrow"})
    assert response.status_code == 400


def test_list_is_paginated(auth_client, patient):
    many_appointments(3, patient=patient, doctor=DoctorFactory())
    response = auth_client(patient).get(URL, {"page_size": 2})
    assert (response.json()["count"], len(response.json()["results"])) == (3, 2)
    assert response.json()["next"]


def test_page_past_the_end_is_404(auth_client, patient):
    AppointmentFactory(patient=patient)
    response = auth_client(patient).get(URL, {"page": 5})
    assert response.status_code == 404


def count_queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL, {"page_size": 100})
    assert response.status_code == 200
    return len(context.captured_queries), response.json()["count"]


@pytest.mark.parametrize("role", ["patient", "doctor"])
def test_list_costs_the_same_queries_for_1_and_50_rows(auth_client, role):
    one_patient, many_patient = PatientFactory(), PatientFactory()
    one_doctor, many_doctor = DoctorFactory(), DoctorFactory()
    many_appointments(1, patient=one_patient, doctor=one_doctor)
    many_appointments(50, patient=many_patient, doctor=many_doctor)
    one_user, many_user = (
        (one_patient, many_patient) if role == "patient" else (one_doctor, many_doctor)
    )
    one = count_queries(auth_client(one_user))
    many = count_queries(auth_client(many_user))
    assert (one[1], many[1]) == (1, 50)
    # The user lookup of the token, the count, and the page with patient and doctor joined.
    assert one[0] == many[0] == 3

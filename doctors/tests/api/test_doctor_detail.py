import datetime as dt

import pytest
from django.utils import timezone

from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def url(user_id):
    return f"/api/doctors/{user_id}/"


def test_anyone_reads_a_verified_doctor(api_client):
    doctor = DoctorFactory()
    response = api_client.get(url(doctor.pk))
    assert response.status_code == 200
    assert response.json()["id"] == doctor.pk
    assert response.json()["specialization"] == "Cardiology"


def test_detail_hides_private_fields(api_client):
    doctor = DoctorFactory()
    data = api_client.get(url(doctor.pk)).json()
    assert not {"mobile_number", "email", "license_number"} & set(data)


def test_detail_lists_upcoming_schedules_in_order(api_client):
    doctor = DoctorFactory()
    today = timezone.localdate()
    later = ScheduleFactory(doctor=doctor, date=today + dt.timedelta(days=2))
    sooner = ScheduleFactory(doctor=doctor, date=today)
    ScheduleFactory(doctor=doctor, date=today - dt.timedelta(days=1))
    schedules = api_client.get(url(doctor.pk)).json()["schedules"]
    assert [s["id"] for s in schedules] == [sooner.pk, later.pk]
    assert schedules[0] == {
        "id": sooner.pk,
        "date": today.isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "source": "manual",
    }


def test_unknown_doctor_is_404(api_client):
    doctor = DoctorFactory()
    response = api_client.get(url(doctor.pk + 999))
    assert response.status_code == 404
    assert "detail" in response.json()


def test_unverified_doctor_is_404(api_client):
    doctor = DoctorFactory(doctor_detail__is_verified=False)
    assert api_client.get(url(doctor.pk)).status_code == 404


def test_inactive_doctor_is_404(api_client):
    doctor = DoctorFactory(is_active=False)
    assert api_client.get(url(doctor.pk)).status_code == 404


def test_a_patient_id_is_404(api_client):
    assert api_client.get(url(PatientFactory().pk)).status_code == 404


def test_detail_costs_the_same_queries_for_1_and_30_schedules(
    api_client, django_assert_num_queries
):
    doctor = DoctorFactory()
    today = timezone.localdate()
    ScheduleFactory(doctor=doctor, date=today + dt.timedelta(days=1))
    # The doctor with details joined, then their upcoming schedules in one query.
    with django_assert_num_queries(2):
        assert len(api_client.get(url(doctor.pk)).json()["schedules"]) == 1
    for day in range(2, 31):
        ScheduleFactory(doctor=doctor, date=today + dt.timedelta(days=day))
    with django_assert_num_queries(2):
        assert len(api_client.get(url(doctor.pk)).json()["schedules"]) == 30

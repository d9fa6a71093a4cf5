import datetime as dt

import pytest
from django.utils import timezone

from doctors.models import DoctorDetail
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.models import User
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/profile/"
BASE_KEYS = {"id", "mobile_number", "full_name", "email", "role", "date_joined"}


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_anonymous_profile_is_401_with_a_bearer_challenge(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_patient_sees_exactly_the_account_fields(auth_client, patient):
    response = auth_client(patient).get(URL)
    assert response.status_code == 200
    assert set(response.json()) == BASE_KEYS
    assert response.json()["id"] == patient.pk
    assert response.json()["role"] == "patient"


def test_admin_sees_exactly_the_account_fields(auth_client, admin_user):
    response = auth_client(admin_user).get(URL)
    assert set(response.json()) == BASE_KEYS


def test_date_joined_carries_an_offset(auth_client, patient):
    joined = auth_client(patient).get(URL).json()["date_joined"]
    assert dt.datetime.fromisoformat(joined).utcoffset() is not None


def test_doctor_sees_details_and_schedules(auth_client, doctor):
    response = auth_client(doctor).get(URL)
    assert set(response.json()) == BASE_KEYS | {"doctor_detail", "schedules"}
    assert response.json()["doctor_detail"] == {
        "license_number": doctor.doctor_detail.license_number,
        "specialization": "Cardiology",
        "experience_years": 10,
        "consultation_fee": "500.00",
        "location": "Dhaka",
        "bio": "Experienced physician.",
        "is_verified": True,
    }


def test_doctor_sees_only_upcoming_schedules_by_date_and_start(auth_client, doctor):
    ScheduleFactory(doctor=doctor, date=days(-1))
    later = ScheduleFactory(doctor=doctor, date=days(2), start_time=dt.time(9))
    evening = ScheduleFactory(
        doctor=doctor, date=days(0), start_time=dt.time(18), end_time=dt.time(20)
    )
    morning = ScheduleFactory(
        doctor=doctor, date=days(0), start_time=dt.time(8), end_time=dt.time(10)
    )
    schedules = auth_client(doctor).get(URL).json()["schedules"]
    assert [s["id"] for s in schedules] == [morning.pk, evening.pk, later.pk]
    assert schedules[0] == {
        "id": morning.pk,
        "date": days(0).isoformat(),
        "start_time": "08:00",
        "end_time": "10:00",
        "source": "manual",
    }


def test_doctor_profile_runs_a_fixed_number_of_queries(
    auth_client, doctor, django_assert_num_queries
):
    client = auth_client(doctor)
    ScheduleFactory(doctor=doctor)
    with django_assert_num_queries(3) as one:
        client.get(URL)
    for n in range(2, 51):
        ScheduleFactory(doctor=doctor, date=days(n))
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(URL)
    assert len(response.json()["schedules"]) == 50


def test_patient_renames_themself(auth_client, patient):
    response = auth_client(patient).patch(URL, {"full_name": "Karim Ahmed"})
    assert response.status_code == 200
    assert response.json()["full_name"] == "Karim Ahmed"
    patient.refresh_from_db()
    assert patient.full_name == "Karim Ahmed"


def test_read_only_fields_sent_are_ignored(auth_client, patient):
    joined = patient.date_joined
    response = auth_client(patient).patch(
        URL,
        {
            "full_name": "Karim Ahmed",
            "role": "admin",
            "id": patient.pk + 100,
            "date_joined": "2000-01-01T00:00:00Z",
            "is_verified": True,
        },
    )
    assert response.status_code == 200
    stored = User.objects.get(pk=patient.pk)
    assert (stored.role, stored.date_joined, stored.full_name) == ("patient", joined, "Karim Ahmed")
    assert User.objects.count() == 1


def test_doctor_cannot_change_own_role(auth_client, doctor):
    response = auth_client(doctor).patch(URL, {"role": "admin"})
    assert response.status_code == 200
    doctor.refresh_from_db()
    assert doctor.role == "doctor"


def test_mobile_number_change_is_stored_in_e164(auth_client, patient):
    response = auth_client(patient).patch(URL, {"mobile_number": "01912345678"})
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.mobile_number == "+8801912345678"


def test_mobile_number_sent_as_a_json_number_is_400(auth_client, patient):
    old = patient.mobile_number
    response = auth_client(patient).patch(URL, {"mobile_number": 1912345678})
    assert response.status_code == 400
    assert "mobile_number" in response.json()
    patient.refresh_from_db()
    assert patient.mobile_number == old


def test_mobile_number_taken_by_another_account_is_400(auth_client, patient):
    PatientFactory(mobile_number="+8801912345678")
    old = patient.mobile_number
    response = auth_client(patient).patch(URL, {"mobile_number": "01912345678"})
    assert response.status_code == 400
    assert "mobile_number" in response.json()
    patient.refresh_from_db()
    assert patient.mobile_number == old


def test_sending_own_mobile_number_in_local_form_is_fine(auth_client):
    patient = PatientFactory(mobile_number="+8801912345678")
    response = auth_client(patient).patch(URL, {"mobile_number": "01912345678"})
    assert response.status_code == 200


def test_malformed_mobile_number_is_400(auth_client, patient):
    response = auth_client(patient).patch(URL, {"mobile_number": "12ab"})
    assert response.status_code == 400
    assert "mobile_number" in response.json()


def test_email_can_be_cleared(auth_client, patient):
    response = auth_client(patient).patch(URL, {"email": ""})
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.email == ""


def test_invalid_email_is_400(auth_client, patient):
    response = auth_client(patient).patch(URL, {"email": "nope"})
    assert response.status_code == 400
    assert "email" in response.json()


def test_put_replaces_the_account_fields(auth_client, patient):
    response = auth_client(patient).put(
        URL,
        {"full_name": "Nadia Islam", "email": "nadia@example.com", "mobile_number": "01812345678"},
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert (patient.full_name, patient.email, patient.mobile_number) == (
        "Nadia Islam",
        "nadia@example.com",
        "+8801812345678",
    )


def test_put_without_required_fields_is_400(auth_client, patient):
    response = auth_client(patient).put(URL, {"email": "nadia@example.com"})
    assert response.status_code == 400
    assert {"full_name", "mobile_number"} <= set(response.json())


def test_blank_full_name_is_400(auth_client, patient):
    response = auth_client(patient).patch(URL, {"full_name": ""})
    assert response.status_code == 400
    patient.refresh_from_db()
    assert patient.full_name


def test_patient_sending_doctor_detail_gets_no_detail_row(auth_client, patient):
    response = auth_client(patient).patch(URL, {"doctor_detail": {"specialization": "Cardiology"}})
    assert response.status_code == 200
    assert not DoctorDetail.objects.filter(doctor=patient).exists()


def test_non_object_body_is_400(auth_client, patient):
    response = auth_client(patient).patch(URL, ["full_name"])
    assert response.status_code == 400


def test_deactivated_users_token_no_longer_opens_the_profile(auth_client):
    user = PatientFactory()
    client = auth_client(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(URL).status_code == 401


def test_profile_update_by_doctor_keeps_details_when_left_out(auth_client):
    doctor = DoctorFactory()
    auth_client(doctor).patch(URL, {"full_name": "Dr. Farhana Akter"})
    doctor.doctor_detail.refresh_from_db()
    assert doctor.doctor_detail.specialization == "Cardiology"


def test_profile_schema_requires_doctor_keys_of_nobody(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    required = schema["components"]["schemas"]["ProfileOutput"]["required"]
    assert "doctor_detail" not in required
    assert "schedules" not in required

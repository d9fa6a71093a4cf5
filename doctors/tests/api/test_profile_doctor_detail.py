from decimal import Decimal

import pytest

from doctors.models import DoctorDetail
from doctors.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

URL = "/api/profile/"


@pytest.fixture
def unverified(api_client):
    response = api_client.post(
        "/api/register/",
        {
            "mobile_number": "01712345678",
            "password": "Correct-Horse-42",
            "full_name": "Dr. Sadia Rahman",
            "role": "doctor",
        },
    )
    return DoctorDetail.objects.get(doctor_id=response.json()["id"]).doctor


def test_doctor_updates_one_detail_field_and_keeps_the_others(auth_client, doctor):
    response = auth_client(doctor).patch(URL, {"doctor_detail": {"specialization": "Neurology"}})
    assert response.status_code == 200
    assert response.json()["doctor_detail"]["specialization"] == "Neurology"
    detail = DoctorDetail.objects.get(doctor=doctor)
    assert (detail.specialization, detail.location, detail.consultation_fee) == (
        "Neurology",
        "Dhaka",
        Decimal("500.00"),
    )


def test_self_registered_doctor_fills_in_details(auth_client, unverified):
    response = auth_client(unverified).patch(
        URL,
        {
            "doctor_detail": {
                "license_number": "BMDC-A-12345",
                "specialization": "Dermatology",
                "experience_years": 6,
                "consultation_fee": "800",
                "location": "Chattogram",
                "bio": "Skin and hair.",
            }
        },
    )
    assert response.status_code == 200
    assert response.json()["doctor_detail"]["consultation_fee"] == "800.00"
    detail = DoctorDetail.objects.get(doctor=unverified)
    assert (detail.license_number, detail.experience_years) == ("BMDC-A-12345", 6)


def test_doctor_cannot_verify_themself(auth_client, unverified):
    response = auth_client(unverified).patch(URL, {"doctor_detail": {"is_verified": True}})
    assert response.status_code == 200
    assert response.json()["doctor_detail"]["is_verified"] is False
    assert DoctorDetail.objects.get(doctor=unverified).is_verified is False


def test_license_number_of_another_doctor_is_400(auth_client, doctor):
    other = DoctorFactory()
    taken = other.doctor_detail.license_number
    response = auth_client(doctor).patch(URL, {"doctor_detail": {"license_number": taken}})
    assert response.status_code == 400
    assert "license_number" in response.json()["doctor_detail"]
    assert DoctorDetail.objects.get(doctor=doctor).license_number != taken


def test_own_license_number_can_be_sent_again(auth_client, doctor):
    own = doctor.doctor_detail.license_number
    response = auth_client(doctor).patch(URL, {"doctor_detail": {"license_number": own}})
    assert response.status_code == 200


def test_blank_license_numbers_do_not_collide(auth_client, unverified):
    other = DoctorFactory(doctor_detail__license_number=None)
    response = auth_client(unverified).patch(URL, {"doctor_detail": {"license_number": ""}})
    assert response.status_code == 200
    assert DoctorDetail.objects.get(doctor=unverified).license_number is None
    assert DoctorDetail.objects.get(doctor=other).license_number is None


def test_negative_fee_is_400(auth_client, doctor):
    response = auth_client(doctor).patch(URL, {"doctor_detail": {"consultation_fee": "-1.00"}})
    assert response.status_code == 400
    assert DoctorDetail.objects.get(doctor=doctor).consultation_fee == Decimal("500.00")


def test_implausible_experience_is_400(auth_client, doctor):
    response = auth_client(doctor).patch(URL, {"doctor_detail": {"experience_years": 200}})
    assert response.status_code == 400
    assert DoctorDetail.objects.get(doctor=doctor).experience_years == 10


def test_bad_detail_rolls_back_the_name_change(auth_client, doctor):
    taken = DoctorFactory().doctor_detail.license_number
    name = doctor.full_name
    response = auth_client(doctor).patch(
        URL, {"full_name": "Changed Name", "doctor_detail": {"license_number": taken}}
    )
    assert response.status_code == 400
    doctor.refresh_from_db()
    assert doctor.full_name == name


def test_doctor_detail_null_is_400(auth_client, doctor):
    response = auth_client(doctor).patch(URL, {"doctor_detail": None})
    assert response.status_code == 400

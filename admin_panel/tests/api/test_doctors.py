"""/api/admin-panel/doctors/ (+ {id}/): admin CRUD of doctor accounts."""

import pytest

from doctors.models import DoctorDetail
from doctors.tests.factories import DoctorFactory
from users.models import User
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/doctors/"


def body(**overrides):
    data = {
        "mobile_number": "01712345678",
        "password": "Correct-Horse-42",
        "full_name": "Dr Ayesha Rahman",
        "email": "ayesha@example.com",
        "doctor_detail": {
            "license_number": "BMDC-9999",
            "specialization": "Neurology",
            "experience_years": 12,
            "consultation_fee": "800.00",
            "location": "Chattogram",
            "bio": "Neurologist.",
        },
    }
    data.update(overrides)
    return data


def test_anonymous_caller_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role_fixture", ["patient", "doctor"])
def test_non_admins_get_403_on_the_list(request, auth_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert auth_client(user).get(URL).status_code == 403


@pytest.mark.parametrize("method", ["get", "patch", "put", "delete"])
def test_doctor_gets_403_on_a_detail(auth_client, doctor, method):
    response = getattr(auth_client(doctor), method)(f"{URL}{doctor.pk}/", {})
    assert response.status_code == 403


def test_patient_cannot_create_a_doctor(auth_client, patient):
    assert auth_client(patient).post(URL, body()).status_code == 403
    assert not User.objects.filter(mobile_number="+8801712345678").exists()


def test_list_rows_are_flat_with_doctor_detail(auth_client, admin_user, doctor):
    row = auth_client(admin_user).get(URL).json()["results"][0]
    assert set(row) == {
        "id",
        "mobile_number",
        "full_name",
        "email",
        "role",
        "is_active",
        "date_joined",
        "doctor_detail",
    }
    assert row["doctor_detail"]["license_number"] == doctor.doctor_detail.license_number


def test_list_includes_unverified_and_inactive_doctors_newest_first(auth_client, admin_user):
    verified = DoctorFactory()
    unverified = DoctorFactory(doctor_detail__is_verified=False)
    inactive = DoctorFactory(is_active=False)
    ids = [row["id"] for row in auth_client(admin_user).get(URL).json()["results"]]
    assert ids == [inactive.pk, unverified.pk, verified.pk]


def test_list_holds_doctors_only(auth_client, admin_user, patient, doctor):
    ids = [row["id"] for row in auth_client(admin_user).get(URL).json()["results"]]
    assert ids == [doctor.pk]


def test_list_filters_unverified_doctors(auth_client, admin_user, doctor):
    unverified = DoctorFactory(doctor_detail__is_verified=False)
    response = auth_client(admin_user).get(URL, {"is_verified": "false"})
    assert [row["id"] for row in response.json()["results"]] == [unverified.pk]


def test_list_search_matches_every_word_of_the_name(auth_client, admin_user):
    wanted = DoctorFactory(full_name="Ayesha Rahman")
    DoctorFactory(full_name="Ayesha Karim")
    response = auth_client(admin_user).get(URL, {"search": "rahman ayesha"})
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_list_is_paginated(auth_client, admin_user):
    DoctorFactory.create_batch(3)
    data = auth_client(admin_user).get(URL, {"page_size": 2}).json()
    assert (data["count"], len(data["results"]), data["next"] is not None) == (3, 2, True)


def test_malformed_filter_value_is_a_400(auth_client, admin_user):
    assert auth_client(admin_user).get(URL, {"is_active": "maybe"}).status_code == 400


def test_list_runs_a_fixed_number_of_queries(auth_client, admin_user, django_assert_num_queries):
    client = auth_client(admin_user)
    DoctorFactory()
    with django_assert_num_queries(3):  # the admin, the count, the page with details joined
        client.get(URL)
    DoctorFactory.create_batch(49)
    with django_assert_num_queries(3):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 50


def test_admin_creates_a_verified_doctor_with_details(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body())
    assert response.status_code == 201
    detail = DoctorDetail.objects.get(doctor_id=response.json()["id"])
    assert (detail.is_verified, detail.license_number, detail.specialization) == (
        True,
        "BMDC-9999",
        "Neurology",
    )


def test_created_doctor_is_stored_with_a_hashed_password_and_role_doctor(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body())
    user = User.objects.get(pk=response.json()["id"])
    assert user.role == "doctor"
    assert user.check_password("Correct-Horse-42")
    assert "password" not in response.json()


def test_created_doctor_can_sign_in(auth_client, admin_user, api_client):
    auth_client(admin_user).post(URL, body())
    response = api_client.post(
        "/api/token/", {"mobile_number": "01712345678", "password": "Correct-Horse-42"}
    )
    assert response.status_code == 200


def test_create_with_a_taken_number_is_a_400(auth_client, admin_user):
    PatientFactory(mobile_number="+8801712345678")
    response = auth_client(admin_user).post(URL, body())
    assert response.status_code == 400
    assert "mobile_number" in response.json()


def test_create_with_a_taken_license_number_is_a_400(auth_client, admin_user, doctor):
    detail = {**body()["doctor_detail"], "license_number": doctor.doctor_detail.license_number}
    response = auth_client(admin_user).post(URL, body(doctor_detail=detail))
    assert response.status_code == 400
    assert not User.objects.filter(mobile_number="+8801712345678").exists()


def test_create_with_a_weak_password_is_a_400(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body(password="12345678"))
    assert response.status_code == 400
    assert "password" in response.json()


def test_create_without_required_fields_is_a_400(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, {"full_name": "Dr No"})
    assert response.status_code == 400
    assert {"mobile_number", "password"} <= set(response.json())


def test_create_ignores_a_role_in_the_body(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body(role="admin"))
    assert User.objects.get(pk=response.json()["id"]).role == "doctor"


def test_patch_verifies_a_self_registered_doctor(auth_client, admin_user):
    doctor = DoctorFactory(doctor_detail__is_verified=False)
    response = auth_client(admin_user).patch(
        f"{URL}{doctor.pk}/", {"doctor_detail": {"is_verified": True}}
    )
    assert response.status_code == 200
    assert DoctorDetail.objects.get(pk=doctor.pk).is_verified is True


def test_verified_doctor_appears_in_the_public_list(auth_client, admin_user, api_client):
    doctor = DoctorFactory(doctor_detail__is_verified=False)
    auth_client(admin_user).patch(f"{URL}{doctor.pk}/", {"doctor_detail": {"is_verified": True}})
    ids = [row["id"] for row in api_client.get("/api/doctors/").json()["results"]]
    assert doctor.pk in ids


def test_patch_updates_user_fields(auth_client, admin_user, doctor):
    auth_client(admin_user).patch(f"{URL}{doctor.pk}/", {"full_name": "Dr Renamed"})
    doctor.refresh_from_db()
    assert doctor.full_name == "Dr Renamed"


def test_patch_to_a_taken_number_is_a_400(auth_client, admin_user, doctor, patient):
    response = auth_client(admin_user).patch(
        f"{URL}{doctor.pk}/", {"mobile_number": patient.mobile_number}
    )
    assert response.status_code == 400
    doctor.refresh_from_db()
    assert doctor.mobile_number != patient.mobile_number


def test_patch_with_a_negative_fee_is_a_400(auth_client, admin_user, doctor):
    response = auth_client(admin_user).patch(
        f"{URL}{doctor.pk}/", {"doctor_detail": {"consultation_fee": "-1"}}
    )
    assert response.status_code == 400


def test_a_patient_id_is_a_404_here(auth_client, admin_user, patient):
    assert auth_client(admin_user).get(f"{URL}{patient.pk}/").status_code == 404


def test_unknown_id_is_a_404(auth_client, admin_user):
    assert auth_client(admin_user).get(f"{URL}999999/").status_code == 404


def test_delete_deactivates_and_keeps_the_row(auth_client, admin_user, doctor):
    response = auth_client(admin_user).delete(f"{URL}{doctor.pk}/")
    assert response.status_code == 204
    assert User.objects.get(pk=doctor.pk).is_active is False


def test_deactivated_doctor_cannot_sign_in(auth_client, admin_user, doctor, api_client):
    auth_client(admin_user).delete(f"{URL}{doctor.pk}/")
    response = api_client.post(
        "/api/token/", {"mobile_number": doctor.mobile_number, "password": "Correct-Horse-42"}
    )
    assert response.status_code == 401


def test_deactivated_doctor_leaves_the_public_list(auth_client, admin_user, doctor, api_client):
    auth_client(admin_user).delete(f"{URL}{doctor.pk}/")
    ids = [row["id"] for row in api_client.get("/api/doctors/").json()["results"]]
    assert doctor.pk not in ids


def test_deactivated_doctors_access_token_stops_working(auth_client, admin_user, doctor):
    client = auth_client(doctor)
    auth_client(admin_user).delete(f"{URL}{doctor.pk}/")
    assert client.get("/api/profile/").status_code == 401


def test_deactivated_doctor_stays_in_the_admin_list(auth_client, admin_user, doctor):
    client = auth_client(admin_user)
    client.delete(f"{URL}{doctor.pk}/")
    row = client.get(URL).json()["results"][0]
    assert (row["id"], row["is_active"]) == (doctor.pk, False)

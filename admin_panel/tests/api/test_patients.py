"""/api/admin-panel/patients/ (+ {id}/): admin CRUD of patient accounts."""

import pytest

from admin_panel.models import AuditLogEntry
from admin_panel.tests.factories import AppointmentFactory
from appointments.models import AppointmentBooking
from users.models import User
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/patients/"


def body(**overrides):
    data = {
        "mobile_number": "01712345678",
        "password": "Correct-Horse-42",
        "full_name": "Karim Ahmed",
        "email": "karim@example.com",
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
def test_patient_gets_403_on_their_own_detail(auth_client, patient, method):
    response = getattr(auth_client(patient), method)(f"{URL}{patient.pk}/", {})
    assert response.status_code == 403
    assert User.objects.get(pk=patient.pk).is_active is True


def test_list_rows_are_flat_without_doctor_detail(auth_client, admin_user, patient):
    row = auth_client(admin_user).get(URL).json()["results"][0]
    assert set(row) == {
        "id",
        "mobile_number",
        "full_name",
        "email",
        "role",
        "is_active",
        "date_joined",
    }


def test_list_holds_patients_only_newest_first_inactive_included(auth_client, admin_user, doctor):
    older = PatientFactory()
    inactive = PatientFactory(is_active=False)
    ids = [row["id"] for row in auth_client(admin_user).get(URL).json()["results"]]
    assert ids == [inactive.pk, older.pk]


def test_list_filters_inactive_patients(auth_client, admin_user, patient):
    inactive = PatientFactory(is_active=False)
    response = auth_client(admin_user).get(URL, {"is_active": "false"})
    assert [row["id"] for row in response.json()["results"]] == [inactive.pk]


def test_list_search_finds_a_patient_by_number_digits(auth_client, admin_user, patient):
    PatientFactory()
    response = auth_client(admin_user).get(URL, {"search": patient.mobile_number[-6:]})
    assert [row["id"] for row in response.json()["results"]] == [patient.pk]


def test_page_past_the_end_is_a_json_404(auth_client, admin_user, patient):
    response = auth_client(admin_user).get(URL, {"page": 9})
    assert response.status_code == 404
    assert "detail" in response.json()


def test_list_runs_a_fixed_number_of_queries(auth_client, admin_user, django_assert_num_queries):
    client = auth_client(admin_user)
    PatientFactory()
    # The admin, the audit row, the count and the page, at any size.
    with django_assert_num_queries(4):
        client.get(URL)
    PatientFactory.create_batch(49)
    with django_assert_num_queries(4):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 50


def test_admin_creates_a_patient(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body())
    assert response.status_code == 201
    user = User.objects.get(pk=response.json()["id"])
    assert (user.role, user.mobile_number, user.full_name) == (
        "patient",
        "+8801712345678",
        "Karim Ahmed",
    )


def test_created_patient_password_is_hashed(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body())
    user = User.objects.get(pk=response.json()["id"])
    assert user.password != "Correct-Horse-42"
    assert user.check_password("Correct-Horse-42")


def test_create_with_a_malformed_number_is_a_400(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body(mobile_number="12ab"))
    assert response.status_code == 400
    assert "mobile_number" in response.json()


def test_create_with_doctor_detail_still_makes_a_patient_only(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, body(doctor_detail={"specialization": "X"}))
    user = User.objects.get(pk=response.json()["id"])
    assert user.role == "patient"
    assert not hasattr(user, "doctor_detail")


def test_put_requires_the_full_name_and_number(auth_client, admin_user, patient):
    response = auth_client(admin_user).put(f"{URL}{patient.pk}/", {"email": "a@example.com"})
    assert response.status_code == 400


def test_put_replaces_the_fields(auth_client, admin_user, patient):
    response = auth_client(admin_user).put(
        f"{URL}{patient.pk}/", {"full_name": "Renamed", "mobile_number": "01812345678"}
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert (patient.full_name, patient.mobile_number) == ("Renamed", "+8801812345678")


def test_patch_can_set_a_new_password(auth_client, admin_user, patient):
    auth_client(admin_user).patch(f"{URL}{patient.pk}/", {"password": "Another-Secret-77"})
    patient.refresh_from_db()
    assert patient.check_password("Another-Secret-77")


def test_patch_can_reactivate_a_patient(auth_client, admin_user):
    inactive = PatientFactory(is_active=False)
    auth_client(admin_user).patch(f"{URL}{inactive.pk}/", {"is_active": True})
    assert User.objects.get(pk=inactive.pk).is_active is True


def test_patch_ignores_a_role_change(auth_client, admin_user, patient):
    auth_client(admin_user).patch(f"{URL}{patient.pk}/", {"role": "admin"})
    assert User.objects.get(pk=patient.pk).role == "patient"


def test_a_doctor_id_is_a_404_here(auth_client, admin_user, doctor):
    assert auth_client(admin_user).get(f"{URL}{doctor.pk}/").status_code == 404


def test_an_admin_id_is_a_404_here(auth_client, admin_user):
    assert auth_client(admin_user).delete(f"{URL}{admin_user.pk}/").status_code == 404
    assert User.objects.get(pk=admin_user.pk).is_active is True


def test_delete_deactivates_and_keeps_the_patients_appointments(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).delete(f"{URL}{appointment.patient_id}/")
    assert response.status_code == 204
    assert User.objects.get(pk=appointment.patient_id).is_active is False
    assert AppointmentBooking.objects.get(pk=appointment.pk).status == appointment.status


def test_deactivated_patients_refresh_token_is_revoked(auth_client, admin_user, api_client):
    patient = PatientFactory()
    tokens = api_client.post(
        "/api/token/", {"mobile_number": patient.mobile_number, "password": "Correct-Horse-42"}
    ).json()
    auth_client(admin_user).delete(f"{URL}{patient.pk}/")
    response = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_every_admin_request_records_one_patient_record_read(auth_client, admin_user, patient):
    client = auth_client(admin_user)
    client.get(URL)
    client.get(f"{URL}{patient.pk}/")
    assert AuditLogEntry.objects.filter(action="patient_record_read").count() == 2

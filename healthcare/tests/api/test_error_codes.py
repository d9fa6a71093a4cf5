"""Every error body carries `code` and `errors[]` beside its v1 keys (contract v1.1)."""

import datetime as dt

import pytest
from django.utils import timezone

from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.tests.errors import codes
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def test_a_missing_token_is_not_authenticated_with_a_fieldless_error(api_client):
    body = api_client.get("/api/profile/").json()
    assert body["code"] == "not_authenticated"
    assert body["errors"] == [
        {"field": None, "code": "not_authenticated", "message": body["detail"]}
    ]


def test_a_bad_token_keeps_simplejwts_code_and_messages(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    body = api_client.get("/api/profile/").json()
    assert body["code"] == "token_not_valid"
    assert "messages" in body
    assert codes(body) == [(None, "token_not_valid")]


def test_missing_fields_each_get_required_in_the_order_of_the_body(auth_client, patient):
    body = auth_client(patient).post("/api/appointments/book/", {}, format="json").json()
    assert body["code"] == "required"
    assert [field for field, _ in codes(body)] == [
        key for key in body if key not in ("code", "errors")
    ]
    assert {code for _, code in codes(body)} == {"required"}


def test_a_nested_schedule_error_is_named_by_its_path(auth_client):
    doctor = DoctorFactory()
    item = {"date": tomorrow(), "start_time": "10:00", "end_time": "09:00"}
    body = auth_client(doctor).patch("/api/profile/", {"schedules": [item]}, format="json").json()
    assert codes(body) == [("schedules.0.end_time", "invalid")]
    assert body["schedules"]["0"]["end_time"]


def test_a_nested_non_field_error_is_reported_with_its_parents_path(auth_client):
    doctor = DoctorFactory()
    items = [
        {"date": tomorrow(), "start_time": "09:00", "end_time": "11:00"},
        {"date": tomorrow(), "start_time": "10:00", "end_time": "12:00"},
    ]
    body = auth_client(doctor).patch("/api/profile/", {"schedules": items}, format="json").json()
    assert codes(body) == [("schedules.1", "overlap")]


def test_a_taken_license_number_is_named_inside_doctor_detail(auth_client):
    doctor, other = DoctorFactory(), DoctorFactory()
    data = {"doctor_detail": {"license_number": other.doctor_detail.license_number}}
    body = auth_client(doctor).patch("/api/profile/", data, format="json").json()
    assert codes(body) == [("doctor_detail.license_number", "unique")]


def test_a_taken_slot_answers_the_contracts_example_body(auth_client, patient):
    schedule = ScheduleFactory()
    data = {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": "09:00"}
    auth_client(patient).post("/api/appointments/book/", data, format="json")
    body = auth_client(PatientFactory()).post("/api/appointments/book/", data, format="json").json()
    assert body == {
        "appointment_time": ["This slot is already booked."],
        "code": "slot_taken",
        "errors": [
            {
                "field": "appointment_time",
                "code": "slot_taken",
                "message": "This slot is already booked.",
            }
        ],
    }


def test_an_unknown_path_is_not_found(api_client):
    body = api_client.get("/api/nowhere/").json()
    assert codes(body) == [(None, "not_found")]


def test_a_wrong_method_is_method_not_allowed(auth_client, patient):
    body = auth_client(patient).delete("/api/appointments/book/").json()
    assert body["code"] == "method_not_allowed"

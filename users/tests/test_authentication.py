"""The bearer token's user, read by one written-out statement (users/authentication.py), is the
account the ORM would load, and whatever SimpleJWT refuses it still refuses in its own words."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from doctors.tests.factories import DoctorFactory
from healthcare.db import prepared
from users.models import User
from users.selectors import user_by_id
from users.tests.factories import PatientFactory

URL = "/api/profile/"

pytestmark = pytest.mark.django_db


def _client(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_the_tokens_user_has_every_field_the_orm_loads():
    doctor = DoctorFactory(email="farhana@example.com")
    User.objects.filter(pk=doctor.pk).update(last_login="2026-01-02T03:04:05Z")

    read = user_by_id(doctor.pk)
    expected = User.objects.get(pk=doctor.pk)

    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert read._state.adding is False
    assert read.is_doctor


def test_an_unknown_id_reads_no_user():
    assert user_by_id(987654321) is None


def test_a_request_reads_its_user_with_the_one_written_out_statement():
    client = _client(AccessToken.for_user(PatientFactory()))
    client.get(URL)  # a statement is prepared on first use (healthcare/db/prepared.py)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200

    written = [prepared.written_sql(connection, q["sql"]) for q in queries]
    # The ORM qualifies its columns ("users_user"."id"); the written-out statement doesn't.
    assert sum('FROM "users_user" WHERE "id" = ' in sql for sql in written) == 1


def test_a_token_of_a_deleted_user_is_refused_as_simplejwt_refuses_it():
    patient = PatientFactory()
    token = AccessToken.for_user(patient)
    patient.delete()

    response = _client(token).get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "user_not_found"


def test_a_token_of_a_deactivated_user_is_refused_as_simplejwt_refuses_it():
    patient = PatientFactory()
    token = AccessToken.for_user(patient)
    User.objects.filter(pk=patient.pk).update(is_active=False)

    response = _client(token).get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_a_token_without_a_user_id_is_refused_as_simplejwt_refuses_it():
    token = AccessToken.for_user(PatientFactory())
    del token["user_id"]

    response = _client(token).get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"

"""Fuzz finding F4: a blank email (email is optional) matches the documented response schema.

schemathesis' response_schema_conformance failed on `GET /api/admin-panel/patients/{id}/`: the
body said `"email": ""` and the schema said `format: email`.
"""

import pytest

from healthcare.tests.fuzz.conformance import assert_conforms
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_admin_patient_row_with_a_blank_email_matches_its_schema(auth_client, admin_user):
    patient = PatientFactory(email="")

    response = auth_client(admin_user).get(f"/api/admin-panel/patients/{patient.pk}/")

    assert response.status_code == 200
    assert response.json()["email"] == ""
    assert_conforms(response, "GET", "/api/admin-panel/patients/{id}/")


def test_profile_with_a_blank_email_matches_its_schema(auth_client):
    patient = PatientFactory(email="")

    response = auth_client(patient).get("/api/profile/")

    assert response.status_code == 200
    assert response.json()["email"] == ""
    assert_conforms(response, "GET", "/api/profile/")

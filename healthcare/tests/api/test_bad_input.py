"""Hostile or malformed input anywhere under /api/ gets a JSON 4xx, never a 500."""

import json

import pytest
from rest_framework.throttling import SimpleRateThrottle

from doctors.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db

# NUL bytes (PostgreSQL refuses them in text), huge numbers, impossible dates, wrong types,
# SQL and LIKE metacharacters.
WEIRD_VALUES = ["", "\x00", "9" * 400, "-1", "1e309", "2026-02-30", "' OR 1=1 --", "%_\\"]
WEIRD_JSON = [None, 1, "\x00", [], [{}], {"a": 1}, "9" * 400, -1]

QUERY_PARAMS = {
    "/api/doctors/": [
        "specialization",
        "location",
        "available",
        "search",
        "ordering",
        "page",
        "page_size",
    ],
    "/api/doctors/{doctor}/slots/": ["date_from", "date_to", "page"],
    "/api/profile/appointments/": ["status", "date_from", "date_to", "page"],
    "/api/admin-panel/appointments/": ["doctor", "patient", "status", "date_from", "date_to"],
    "/api/admin-panel/audit-log/": ["actor", "action", "date_from", "date_to"],
    "/api/admin-panel/reports/": ["date_from", "date_to", "page", "page_size", "format"],
    "/api/admin-panel/doctors/": ["page", "page_size"],
    "/api/admin-panel/patients/": ["page", "page_size"],
}

BODY_FIELDS = [
    "mobile_number",
    "password",
    "full_name",
    "email",
    "role",
    "refresh",
    "doctor",
    "schedule",
    "appointment_time",
    "notes",
    "status",
    "patient",
    "doctor_detail",
    "schedules",
]

POSTS = [
    "/api/register/",
    "/api/token/",
    "/api/token/refresh/",
    "/api/logout/",
    "/api/appointments/book/",
    "/api/admin-panel/doctors/",
    "/api/admin-panel/patients/",
    "/api/admin-panel/appointments/",
]


@pytest.fixture
def admin_client(auth_client, admin_user, monkeypatch):
    # Throttling would turn the later requests into 429s and hide what they'd really get.
    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/min")
    client = auth_client(admin_user)
    client.raise_request_exception = False
    return client


def failures(responses) -> list[str]:
    return [
        label
        for label, response in responses
        if response.status_code >= 500
        or not response["Content-Type"].startswith(("application/json", "text/csv"))
    ]


@pytest.mark.parametrize("url", list(QUERY_PARAMS))
def test_weird_query_parameters_never_cause_a_server_error(admin_client, url):
    doctor = DoctorFactory()
    path = url.format(doctor=doctor.pk)
    responses = [
        (f"{name}={value!r}", admin_client.get(path, {name: value}))
        for name in QUERY_PARAMS[url]
        for value in WEIRD_VALUES
    ]
    assert failures(responses) == []


@pytest.mark.parametrize("url", POSTS)
def test_weird_json_bodies_never_cause_a_server_error(admin_client, url):
    responses = [
        (
            f"body={body!r}",
            admin_client.post(url, json.dumps(body), content_type="application/json"),
        )
        for body in WEIRD_JSON
    ]
    responses += [
        (
            f"every field={value!r}",
            admin_client.post(
                url,
                json.dumps(dict.fromkeys(BODY_FIELDS, value)),
                content_type="application/json",
            ),
        )
        for value in WEIRD_JSON + WEIRD_VALUES
    ]
    assert failures(responses) == []


def test_weird_profile_updates_never_cause_a_server_error(admin_client):
    responses = [
        (
            f"{field}={value!r}",
            admin_client.patch("/api/profile/", {field: value}, format="json"),
        )
        for field in ("full_name", "email", "mobile_number", "doctor_detail", "schedules")
        for value in WEIRD_JSON + WEIRD_VALUES
    ]
    assert failures(responses) == []


def test_the_checker_sees_a_server_error(admin_client):
    # Guards the tests above: a 500 response is reported, so their empty lists mean something.
    class Fake:
        status_code = 500

        def __getitem__(self, key):
            return "application/json"

    assert failures([("boom", Fake())]) == ["boom"]

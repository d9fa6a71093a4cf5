"""The main flows through the cluster's balancer, signed in through the API like any client:
register, sign in, verify a doctor, publish a schedule, find the doctor, list slots, book,
cancel, report. Marker `cluster` (see test_drill.py)."""

import datetime as dt
import os
import secrets
import zoneinfo

import pytest

from ops.cluster import drill_lib as lib

pytestmark = pytest.mark.cluster

PASSWORD = "Smoke-Visit-" + secrets.token_hex(4)
ADMIN_NUMBER = os.environ.get("DJANGO_SUPERUSER_MOBILE_NUMBER", "01700000000")
ADMIN_PASSWORD = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "Healthy-Visit-2026")


def sign_in(number, password):
    answer = lib.request(
        "POST", "/api/token/", body={"mobile_number": number, "password": password}
    )
    assert answer.status == 200, answer.body
    return answer.body["access"]


def test_the_main_flows_work_through_the_balancer(cluster):
    run = secrets.randbelow(10_000)
    patient_number, doctor_number = f"+8801{7}{run:04d}0001", f"+8801{6}{run:04d}0002"
    tomorrow = dt.datetime.now(zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Dhaka")))
    tomorrow = (tomorrow + dt.timedelta(days=1)).date().isoformat()

    registered = lib.request(
        "POST",
        "/api/register/",
        body={"mobile_number": patient_number, "password": PASSWORD, "full_name": "Smoke Patient"},
    )
    assert registered.status == 201, registered.body
    doctor = lib.request(
        "POST",
        "/api/register/",
        body={
            "mobile_number": doctor_number,
            "password": PASSWORD,
            "full_name": f"Dr. Smoke {run}",
            "role": "doctor",
        },
    )
    assert doctor.status == 201, doctor.body
    doctor_id = doctor.body["id"]

    admin = sign_in(ADMIN_NUMBER, ADMIN_PASSWORD)
    verified = lib.request(
        "PATCH",
        f"/api/admin-panel/doctors/{doctor_id}/",
        token=admin,
        body={"doctor_detail": {"is_verified": True}},
    )
    assert verified.status == 200, verified.body

    doctor_token = sign_in(doctor_number, PASSWORD)
    profile = lib.request(
        "PATCH",
        "/api/profile/",
        token=doctor_token,
        body={
            "doctor_detail": {"specialization": "Cardiology", "consultation_fee": "700.00"},
            "schedules": [{"date": tomorrow, "start_time": "09:00", "end_time": "11:00"}],
        },
    )
    assert profile.status == 200, profile.body

    patient = sign_in(patient_number, PASSWORD)
    found = lib.request("GET", f"/api/doctors/?search=Smoke%20{run}", token=patient)
    assert found.status == 200
    assert [d["id"] for d in found.body["results"]] == [doctor_id]

    slots = lib.request("GET", f"/api/doctors/{doctor_id}/slots/", token=patient)
    assert slots.status == 200
    slot = next(s for s in slots.body["results"] if s["available"])

    booked = lib.request(
        "POST",
        "/api/appointments/book/",
        token=patient,
        body={"doctor": doctor_id, "schedule": slot["schedule"], "appointment_time": slot["time"]},
    )
    assert booked.status == 201, booked.body
    assert booked.body["fee"] == "700.00"

    cancelled = lib.request("POST", f"/api/appointments/{booked.body['id']}/cancel/", token=patient)
    assert cancelled.status == 200, cancelled.body
    assert cancelled.body["status"] == "cancelled"

    report = lib.request(
        "GET", f"/api/admin-panel/reports/?date_from={tomorrow}&date_to={tomorrow}", token=admin
    )
    assert report.status == 200
    assert doctor_id in [row["doctor_id"] for row in report.body["appointments_per_doctor"]]

    assert lib.request("GET", "/api/health/").body == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
    }

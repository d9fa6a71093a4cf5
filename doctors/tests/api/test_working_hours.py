"""GET/PUT /api/profile/working-hours/ and the admin's path: the hours and generated schedules."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from appointments.tests.clock import freeze_at, freeze_local_time
from appointments.tests.factories import AppointmentFactory
from doctors.models import DoctorSchedule, WorkingHours
from doctors.tests.factories import DoctorFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/profile/working-hours/"
PROFILE = "/api/profile/"


def admin_url(doctor):
    return f"/api/admin-panel/doctors/{doctor.pk}/working-hours/"


def hours(weekday, start="09:00", end="12:00"):
    return {"weekday": weekday, "start_time": start, "end_time": end}


def every_day(*intervals):
    return [hours(day, start, end) for day in range(7) for start, end in intervals]


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def generated(doctor):
    return DoctorSchedule.objects.filter(doctor=doctor, source="weekly")


@pytest.fixture
def client(auth_client, doctor):
    return auth_client(doctor)


def test_anonymous_caller_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role_fixture", ["patient", "admin_user"])
def test_non_doctors_get_403(request, auth_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert auth_client(user).put(URL, [hours(0)], format="json").status_code == 403


def test_a_new_doctor_has_no_working_hours(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == []


def test_put_replaces_the_list_and_answers_it_ordered(client, doctor):
    WorkingHours.objects.create(
        doctor=doctor, weekday=5, start_time=dt.time(8), end_time=dt.time(9)
    )
    body = [hours(2, "14:00", "17:00"), hours(0, "13:00", "15:00"), hours(0, "09:00", "12:00")]
    response = client.put(URL, body, format="json")
    assert response.status_code == 200
    assert response.json() == [
        hours(0, "09:00", "12:00"),
        hours(0, "13:00", "15:00"),
        hours(2, "14:00", "17:00"),
    ]
    assert client.get(URL).json() == response.json()


def test_hours_generate_one_schedule_per_interval_for_every_date_to_the_horizon(
    client, doctor, settings
):
    settings.BOOKING_HORIZON_DAYS = 13
    client.put(URL, every_day(("09:00", "12:00"), ("14:00", "17:00")), format="json")
    rows = list(generated(doctor).values_list("date", "start_time"))
    assert len(rows) == 14 * 2
    assert {date for date, _ in rows} == {days(n) for n in range(14)}


def test_generated_schedules_fall_on_their_weekday_only(client, doctor, settings):
    settings.BOOKING_HORIZON_DAYS = 13
    client.put(URL, [hours(days(3).weekday())], format="json")
    assert sorted(generated(doctor).values_list("date", flat=True)) == [days(3), days(10)]


def test_generated_schedules_are_listed_with_source_weekly(client, settings):
    settings.BOOKING_HORIZON_DAYS = 0
    client.put(URL, [hours(days(0).weekday(), "20:00", "23:00")], format="json")
    (schedule,) = client.get(PROFILE).json()["schedules"]
    assert schedule["source"] == "weekly"


def test_patients_book_a_generated_slot(client, doctor, auth_client, settings):
    settings.BOOKING_HORIZON_DAYS = 7
    client.put(URL, [hours(days(1).weekday())], format="json")
    schedule = generated(doctor).get(date=days(1))
    response = auth_client(PatientFactory()).post(
        "/api/appointments/book/",
        {"doctor": doctor.pk, "schedule": schedule.pk, "appointment_time": "10:00"},
        format="json",
    )
    assert response.status_code == 201


def test_overlapping_intervals_on_a_weekday_are_refused(client, doctor):
    response = client.put(
        URL, [hours(1, "09:00", "12:00"), hours(1, "11:30", "13:00")], format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "hours_overlap"
    assert response.json()["errors"][0]["field"] is None
    assert not WorkingHours.objects.filter(doctor=doctor).exists()


def test_touching_intervals_are_a_break_not_an_overlap(client):
    body = [hours(1, "09:00", "12:00"), hours(1, "12:00", "13:00")]
    assert client.put(URL, body, format="json").status_code == 200


def test_an_interval_too_short_for_a_slot_is_refused_by_index(client):
    response = client.put(URL, [hours(0), hours(1, "09:00", "09:20")], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "1.end_time", "code": "too_short", "message": response.json()["1"]["end_time"][0]}
    ]


def test_an_unknown_weekday_is_refused(client):
    response = client.put(URL, [hours(7)], format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "0.weekday"


def test_more_than_48_intervals_are_refused(client):
    body = [hours(day % 7, f"{day // 7:02d}:00", f"{day // 7:02d}:30") for day in range(49)]
    response = client.put(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "max_length"


def test_a_body_that_is_not_a_list_is_refused(client):
    assert client.put(URL, hours(0), format="json").status_code == 400


def test_regeneration_keeps_an_unchanged_generated_schedule(client, doctor, settings):
    settings.BOOKING_HORIZON_DAYS = 6
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    before = set(generated(doctor).values_list("pk", flat=True))
    client.put(URL, every_day(("09:00", "12:00"), ("14:00", "15:00")), format="json")
    after = set(generated(doctor).filter(start_time=dt.time(9)).values_list("pk", flat=True))
    assert after == before


def test_regeneration_removes_generated_schedules_the_hours_no_longer_hold(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    client.put(URL, [], format="json")
    assert not generated(doctor).exists()


def test_regeneration_never_removes_a_generated_schedule_holding_a_booking(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    schedule = generated(doctor).get(date=days(2))
    AppointmentFactory(schedule=schedule, appointment_time=dt.time(10))
    client.put(URL, every_day(("13:00", "15:00")), format="json")
    kept = DoctorSchedule.objects.get(pk=schedule.pk)
    assert (kept.start_time, kept.end_time) == (dt.time(9), dt.time(12))
    # Nothing new is laid over it; the free afternoon of that date is generated.
    assert list(generated(doctor).filter(date=days(2)).values_list("start_time", flat=True)) == [
        dt.time(9),
        dt.time(13),
    ]


def keep_a_booked_schedule(client, doctor, settings, *, day, before, after):
    """Hours `before` on `day`'s weekday only (a 6-day horizon holds it once), the first slot
    of that date's generated schedule booked, then hours `after`: regeneration keeps the booked
    schedule with its old bounds, and lays nothing over it."""
    settings.BOOKING_HORIZON_DAYS = 6
    client.put(URL, [hours(day.weekday(), *before)], format="json")
    schedule = generated(doctor).get(date=day)
    AppointmentFactory(schedule=schedule, appointment_time=schedule.start_time)
    client.put(URL, [hours(day.weekday(), *after)], format="json")
    assert list(generated(doctor).values_list("pk", flat=True)) == [schedule.pk]
    return schedule


def test_a_kept_schedules_free_slots_outside_the_current_hours_are_not_listed(
    client, doctor, api_client, settings
):
    keep_a_booked_schedule(
        client, doctor, settings, day=days(2), before=("09:00", "12:00"), after=("10:00", "12:00")
    )
    response = api_client.get(
        f"/api/doctors/{doctor.pk}/slots/",
        {"date_from": days(2).isoformat(), "date_to": days(2).isoformat()},
    )
    assert [(s["time"], s["available"]) for s in response.json()["results"]] == [
        ("09:00", False),
        ("10:00", True),
        ("10:30", True),
        ("11:00", True),
        ("11:30", True),
    ]


def test_booking_a_kept_schedules_slot_outside_the_current_hours_is_refused_as_not_a_slot(
    client, doctor, auth_client, settings
):
    schedule = keep_a_booked_schedule(
        client, doctor, settings, day=days(2), before=("09:00", "12:00"), after=("10:00", "12:00")
    )
    response = auth_client(PatientFactory()).post(
        "/api/appointments/book/",
        {"doctor": doctor.pk, "schedule": schedule.pk, "appointment_time": "09:30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_a_slot"


def directory_ids(api_client, available):
    response = api_client.get("/api/doctors/", {"available": available, "page_size": 100})
    return [row["id"] for row in response.json()["results"]]


def test_a_doctor_whose_only_free_slots_lie_outside_the_current_hours_is_not_available(
    client, doctor, api_client, settings
):
    keep_a_booked_schedule(
        client, doctor, settings, day=days(2), before=("09:00", "10:00"), after=("09:00", "09:30")
    )
    assert doctor.pk not in directory_ids(api_client, "true")
    assert doctor.pk in directory_ids(api_client, "false")


# Every weekday, wherever today falls: the SQL maps the date's weekday onto the hours' own.
@pytest.mark.parametrize("offset", range(7))
def test_a_kept_schedule_inside_the_current_hours_keeps_its_doctor_available(
    client, doctor, api_client, settings, monkeypatch, offset
):
    freeze_local_time(monkeypatch, 7)
    keep_a_booked_schedule(
        client,
        doctor,
        settings,
        day=days(offset),
        before=("09:00", "10:00"),
        after=("08:00", "11:00"),
    )
    assert doctor.pk in directory_ids(api_client, "true")


def test_a_manual_schedule_replaces_its_dates_generated_ones(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    item = {"date": days(3).isoformat(), "start_time": "15:00", "end_time": "16:00"}
    assert client.patch(PROFILE, {"schedules": [item]}, format="json").status_code == 200
    on_date = DoctorSchedule.objects.filter(doctor=doctor, date=days(3))
    assert list(on_date.values_list("source", "start_time")) == [("manual", dt.time(15))]


def test_generated_schedules_left_out_of_the_profile_list_are_kept(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    count = generated(doctor).count()
    assert client.patch(PROFILE, {"schedules": []}, format="json").status_code == 200
    assert generated(doctor).count() == count


def test_a_generated_schedule_sent_back_unchanged_stays_generated(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    listed = client.get(PROFILE).json()["schedules"]
    sent = [{k: s[k] for k in ("id", "date", "start_time", "end_time")} for s in listed]
    assert client.patch(PROFILE, {"schedules": sent}, format="json").status_code == 200
    assert generated(doctor).count() == len(listed)


def test_changing_a_generated_schedule_makes_it_manual(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    schedule = generated(doctor).get(date=days(2))
    item = {
        "id": schedule.pk,
        "date": days(2).isoformat(),
        "start_time": "09:00",
        "end_time": "11:00",
    }
    assert client.patch(PROFILE, {"schedules": [item]}, format="json").status_code == 200
    changed = DoctorSchedule.objects.get(pk=schedule.pk)
    assert (changed.source, changed.end_time) == ("manual", dt.time(11))


def test_deleting_a_manual_schedule_regenerates_its_date(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    item = {"date": days(3).isoformat(), "start_time": "15:00", "end_time": "16:00"}
    client.patch(PROFILE, {"schedules": [item]}, format="json")
    client.patch(PROFILE, {"schedules": []}, format="json")
    assert list(
        DoctorSchedule.objects.filter(doctor=doctor, date=days(3)).values_list(
            "source", "start_time"
        )
    ) == [("weekly", dt.time(9))]


def test_a_manual_schedule_overlapping_a_booked_generated_one_is_refused(client, doctor):
    client.put(URL, every_day(("09:00", "12:00")), format="json")
    AppointmentFactory(schedule=generated(doctor).get(date=days(2)), appointment_time=dt.time(9))
    item = {"date": days(2).isoformat(), "start_time": "11:00", "end_time": "13:00"}
    response = client.patch(PROFILE, {"schedules": [item]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "overlap"


def test_changing_hours_writes_an_audit_entry(client, doctor):
    client.put(URL, [hours(0)], format="json")
    entry = AuditLogEntry.objects.get(action="working_hours_updated")
    assert (entry.actor_id, entry.object_id) == (doctor.pk, doctor.pk)


def test_admin_reads_and_replaces_a_doctors_hours(auth_client, admin_user, doctor):
    client = auth_client(admin_user)
    response = client.put(admin_url(doctor), [hours(4)], format="json")
    assert response.status_code == 200
    assert client.get(admin_url(doctor)).json() == [hours(4)]
    assert WorkingHours.objects.filter(doctor=doctor).count() == 1


def test_admin_gets_404_for_a_patients_hours(auth_client, admin_user, patient):
    assert auth_client(admin_user).get(admin_url(patient)).status_code == 404


def test_doctors_get_403_on_the_admin_path(auth_client, doctor):
    assert auth_client(doctor).get(admin_url(doctor)).status_code == 403


def test_a_60_day_horizon_costs_the_statements_a_7_day_one_does(auth_client, settings):
    body = every_day(("09:00", "12:00"), ("14:00", "17:00"))
    settings.BOOKING_HORIZON_DAYS = 7
    with CaptureQueriesContext(connection) as week:
        auth_client(DoctorFactory()).put(URL, body, format="json")
    settings.BOOKING_HORIZON_DAYS = 60
    with CaptureQueriesContext(connection) as two_months:
        response = auth_client(DoctorFactory()).put(URL, body, format="json")
    assert response.status_code == 200
    assert len(two_months.captured_queries) == len(week.captured_queries) <= 20


def test_extend_schedules_rolls_the_horizon_forward_and_is_idempotent(
    doctor, settings, monkeypatch
):
    settings.BOOKING_HORIZON_DAYS = 6
    WorkingHours.objects.create(
        doctor=doctor, weekday=0, start_time=dt.time(9), end_time=dt.time(12)
    )
    WorkingHours.objects.create(
        doctor=doctor, weekday=3, start_time=dt.time(9), end_time=dt.time(12)
    )
    call_command("extend_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = set(generated(doctor).values_list("pk", flat=True))
    assert len(first) == 2
    call_command("extend_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(generated(doctor).values_list("pk", flat=True)) == first
    settings.BOOKING_HORIZON_DAYS = 13
    call_command("extend_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert generated(doctor).count() == 4
    assert first <= set(generated(doctor).values_list("pk", flat=True))


def test_generated_slots_take_each_days_offset_across_a_dst_change(
    client, doctor, api_client, settings, monkeypatch
):
    settings.TIME_ZONE = "Europe/London"
    settings.BOOKING_HORIZON_DAYS = 7
    freeze_at(monkeypatch, dt.date(2027, 3, 24), 8)
    client.put(URL, every_day(("09:00", "09:30")), format="json")
    assert sorted(generated(doctor).values_list("date", flat=True)) == [
        dt.date(2027, 3, 24) + dt.timedelta(days=n) for n in range(8)
    ]
    rows = api_client.get(
        f"/api/doctors/{doctor.pk}/slots/", {"date_from": "2027-03-27", "date_to": "2027-03-29"}
    ).json()["results"]
    assert [row["starts_at"] for row in rows] == [
        "2027-03-27T09:00:00+00:00",
        "2027-03-28T09:00:00+01:00",
        "2027-03-29T09:00:00+01:00",
    ]

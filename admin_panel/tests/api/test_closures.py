"""/api/admin-panel/closures/ (admin CRUD) and /api/clinic/closures/ (public): whole-day time off
for every doctor."""

import datetime as dt

import pytest
from django.utils import timezone

from admin_panel import receivers
from admin_panel.models import AuditLogEntry
from appointments.tests.factories import AppointmentFactory
from doctors.models import ClinicClosure, DoctorSchedule
from doctors.tests.factories import DoctorFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/closures/"
PUBLIC = "/api/clinic/closures/"


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def admin(auth_client, admin_user):
    return auth_client(admin_user)


def with_hours(auth_client):
    doctor = DoctorFactory()
    hours = [{"weekday": d, "start_time": "09:00", "end_time": "12:00"} for d in range(7)]
    auth_client(doctor).put("/api/profile/working-hours/", hours, format="json")
    return doctor


def test_anonymous_caller_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role_fixture", ["patient", "doctor"])
def test_non_admins_get_403(request, auth_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    response = auth_client(user).post(URL, {"date": days(1).isoformat()}, format="json")
    assert response.status_code == 403


def test_create_answers_201_with_the_closure(admin):
    response = admin.post(URL, {"date": days(3).isoformat(), "reason": "Eid"}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["date"], data["reason"], data["cancelled_appointments"]) == (
        days(3).isoformat(),
        "Eid",
        [],
    )


def test_anyone_lists_the_closures_by_date(api_client):
    for n in (5, 2):
        ClinicClosure.objects.create(date=days(n))
    response = api_client.get(PUBLIC)
    assert response.status_code == 200
    assert [c["date"] for c in response.json()["results"]] == [
        days(2).isoformat(),
        days(5).isoformat(),
    ]


def test_a_closure_removes_every_doctors_unbooked_schedules_that_day(admin, auth_client):
    first, second = with_hours(auth_client), with_hours(auth_client)
    ScheduleFactory(doctor=first, date=days(2), start_time=dt.time(14), end_time=dt.time(16))
    assert admin.post(URL, {"date": days(2).isoformat()}, format="json").status_code == 201
    assert not DoctorSchedule.objects.filter(doctor__in=[first, second], date=days(2)).exists()
    assert DoctorSchedule.objects.filter(doctor=first, date=days(3)).exists()


def test_generation_skips_a_closed_date(admin, auth_client):
    ClinicClosure.objects.create(date=days(2))
    doctor = with_hours(auth_client)
    assert not DoctorSchedule.objects.filter(doctor=doctor, date=days(2)).exists()


def test_active_appointments_that_day_answer_400_time_off_conflict(admin):
    booked = AppointmentFactory(schedule__date=days(2))
    response = admin.post(URL, {"date": days(2).isoformat()}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["appointments"]) == (
        "time_off_conflict",
        [booked.pk],
    )
    assert not ClinicClosure.objects.exists()


def test_listing_the_conflicts_cancels_them_as_doctor_unavailable(admin, admin_user):
    booked = AppointmentFactory(schedule__date=days(2))
    response = admin.post(
        URL, {"date": days(2).isoformat(), "cancel_appointments": [booked.pk]}, format="json"
    )
    assert response.status_code == 201
    booked.refresh_from_db()
    assert (booked.status, booked.cancellation_reason, booked.cancelled_by_id) == (
        "cancelled",
        "doctor_unavailable",
        admin_user.pk,
    )


def test_a_past_date_answers_400(admin):
    response = admin.post(URL, {"date": days(-1).isoformat()}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "date_in_past")


def test_a_date_already_closed_answers_400(admin):
    ClinicClosure.objects.create(date=days(2))
    response = admin.post(URL, {"date": days(2).isoformat()}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "unique")


def test_deleting_a_closure_brings_the_generated_schedules_back(admin, auth_client):
    doctor = with_hours(auth_client)
    closure = admin.post(URL, {"date": days(2).isoformat()}, format="json").json()
    assert admin.delete(f"{URL}{closure['id']}/").status_code == 204
    assert DoctorSchedule.objects.filter(doctor=doctor, date=days(2)).count() == 1


def test_moving_a_closure_reopens_the_old_date_and_closes_the_new(admin, auth_client):
    doctor = with_hours(auth_client)
    closure = admin.post(URL, {"date": days(2).isoformat()}, format="json").json()
    response = admin.patch(f"{URL}{closure['id']}/", {"date": days(4).isoformat()}, format="json")
    assert response.status_code == 200
    dates = set(DoctorSchedule.objects.filter(doctor=doctor).values_list("date", flat=True))
    assert days(2) in dates
    assert days(4) not in dates


def test_changing_only_the_reason_keeps_the_date(admin):
    closure = ClinicClosure.objects.create(date=days(2))
    response = admin.patch(f"{URL}{closure.pk}/", {"reason": "Holiday"}, format="json")
    assert (response.status_code, response.json()["date"], response.json()["reason"]) == (
        200,
        days(2).isoformat(),
        "Holiday",
    )


def test_an_unknown_closure_is_404(admin):
    assert admin.get(f"{URL}999999/").status_code == 404


def test_create_and_delete_are_audited(admin, admin_user):
    closure = admin.post(URL, {"date": days(2).isoformat()}, format="json").json()
    admin.delete(f"{URL}{closure['id']}/")
    actions = set(AuditLogEntry.objects.filter(actor=admin_user).values_list("action", flat=True))
    assert {"closure_created", "closure_deleted"} <= actions


def closure_updated_entries(admin):
    response = admin.get("/api/admin-panel/audit-log/", {"action": "closure_updated"})
    assert response.status_code == 200
    return response.json()["results"]


def test_moving_a_closure_is_audited_with_its_date_and_reason_before_and_after(admin, admin_user):
    closure = ClinicClosure.objects.create(date=days(2), reason="Eid")
    body = {"date": days(4).isoformat(), "reason": "Eid (moved)"}
    assert admin.put(f"{URL}{closure.pk}/", body, format="json").status_code == 200
    (entry,) = closure_updated_entries(admin)
    assert (entry["actor"], entry["object_type"], entry["object_id"]) == (
        admin_user.pk,
        "clinicclosure",
        closure.pk,
    )
    assert (entry["details"]["before"], entry["details"]["after"]) == (
        {"date": days(2).isoformat(), "reason": "Eid"},
        {"date": days(4).isoformat(), "reason": "Eid (moved)"},
    )


def test_changing_only_a_closures_reason_is_audited(admin):
    closure = ClinicClosure.objects.create(date=days(2), reason="Eid")
    admin.patch(f"{URL}{closure.pk}/", {"reason": "Eid ul-Fitr"}, format="json")
    (entry,) = closure_updated_entries(admin)
    assert entry["details"]["after"] == {"date": days(2).isoformat(), "reason": "Eid ul-Fitr"}


def test_saving_a_closure_unchanged_writes_no_audit_entry(admin):
    closure = ClinicClosure.objects.create(date=days(2), reason="Eid")
    body = {"date": days(2).isoformat(), "reason": "Eid"}
    assert admin.put(f"{URL}{closure.pk}/", body, format="json").status_code == 200
    assert closure_updated_entries(admin) == []


def test_a_refused_move_writes_no_audit_entry(admin):
    closure = ClinicClosure.objects.create(date=days(2))
    AppointmentFactory(schedule__date=days(4))
    response = admin.patch(f"{URL}{closure.pk}/", {"date": days(4).isoformat()}, format="json")
    assert response.json()["code"] == "time_off_conflict"
    assert closure_updated_entries(admin) == []


def test_a_move_that_cancels_appointments_lists_them_in_its_audit_entry(admin):
    closure = ClinicClosure.objects.create(date=days(2))
    booked = AppointmentFactory(schedule__date=days(4))
    body = {"date": days(4).isoformat(), "cancel_appointments": [booked.pk]}
    assert admin.patch(f"{URL}{closure.pk}/", body, format="json").status_code == 200
    (entry,) = closure_updated_entries(admin)
    assert entry["details"]["cancelled_appointments"] == [booked.pk]


def test_a_move_whose_audit_entry_fails_is_rolled_back(admin, monkeypatch):
    # The entry is written in the move's transaction: no move without its record.
    write = receivers.audit_entry_create

    def refuse(**kwargs):
        if kwargs["action"] == "closure_updated":
            raise RuntimeError("the audit write failed")
        write(**kwargs)

    monkeypatch.setattr(receivers, "audit_entry_create", refuse)
    closure = ClinicClosure.objects.create(date=days(2))
    with pytest.raises(RuntimeError):
        admin.patch(f"{URL}{closure.pk}/", {"date": days(4).isoformat()}, format="json")
    closure.refresh_from_db()
    assert closure.date == days(2)

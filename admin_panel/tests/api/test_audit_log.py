"""GET /api/admin-panel/audit-log/: the trail, newest first, filtered, read-only."""

import datetime as dt

import pytest
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from admin_panel.services import audit_entry_create

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/audit-log/"


def test_anonymous_caller_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role_fixture", ["patient", "doctor"])
def test_non_admins_get_403(request, auth_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert auth_client(user).get(URL).status_code == 403


def test_entries_have_the_contracts_fields(auth_client, admin_user, patient):
    audit_entry_create(action="logout", actor=patient, object_type="user", object_id=patient.pk)
    row = auth_client(admin_user).get(URL).json()["results"][0]
    assert row["actor"] == patient.pk
    assert {k: row[k] for k in ("actor_role", "action", "object_type", "object_id")} == {
        "actor_role": "patient",
        "action": "logout",
        "object_type": "user",
        "object_id": patient.pk,
    }
    assert {"id", "timestamp", "ip", "details"} <= set(row)


def test_entries_are_newest_first(auth_client, admin_user):
    first = audit_entry_create(action="logout")
    second = audit_entry_create(action="logout")
    ids = [row["id"] for row in auth_client(admin_user).get(URL).json()["results"]]
    assert ids == [second.pk, first.pk]


def test_filter_by_actor(auth_client, admin_user, patient, doctor):
    wanted = audit_entry_create(action="logout", actor=patient)
    audit_entry_create(action="logout", actor=doctor)
    response = auth_client(admin_user).get(URL, {"actor": patient.pk})
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_filter_by_action(auth_client, admin_user):
    wanted = audit_entry_create(action="login_failed")
    audit_entry_create(action="logout")
    response = auth_client(admin_user).get(URL, {"action": "login_failed"})
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_date_filters_use_local_dates_inclusively(auth_client, admin_user):
    audit_entry_create(action="logout")
    today = timezone.localdate().isoformat()
    client = auth_client(admin_user)
    assert client.get(URL, {"date_from": today, "date_to": today}).json()["count"] == 1
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert client.get(URL, {"date_from": tomorrow}).json()["count"] == 0


@pytest.mark.parametrize("params", [{"date_from": "2026-13-40"}, {"actor": "someone"}])
def test_malformed_filters_are_a_400(auth_client, admin_user, params):
    assert auth_client(admin_user).get(URL, params).status_code == 400


def test_post_is_a_405(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, {"action": "logout"})
    assert response.status_code == 405
    assert not AuditLogEntry.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_an_entry_cannot_be_changed_or_deleted_through_the_api(auth_client, admin_user, method):
    entry = audit_entry_create(action="logout")
    response = getattr(auth_client(admin_user), method)(f"{URL}{entry.pk}/", {"action": "x"})
    assert response.status_code == 405
    assert AuditLogEntry.objects.get(pk=entry.pk).action == "logout"


def test_list_runs_a_fixed_number_of_queries(auth_client, admin_user, django_assert_num_queries):
    client = auth_client(admin_user)
    audit_entry_create(action="logout", actor=admin_user)
    with django_assert_num_queries(3):  # the admin, the count, the page
        client.get(URL)
    for _ in range(49):
        audit_entry_create(action="logout", actor=admin_user)
    with django_assert_num_queries(3):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 50


def test_an_unknown_action_filter_is_400(auth_client, admin_user):
    response = auth_client(admin_user).get(URL, {"action": "no_such_action"})
    assert response.status_code == 400
    assert "action" in response.json()

import pytest

from admin_panel.models import AuditLogEntry
from appointments.tests.factories import AppointmentFactory
from notifications import sms
from notifications.models import Notification
from notifications.services import notifications_record

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/notifications/"


@pytest.fixture
def booked(patient, far_schedule):
    appointment = AppointmentFactory(patient=patient, schedule=far_schedule)
    ids = notifications_record(event="booked", appointment_id=appointment.pk, actor_id=patient.pk)
    return list(Notification.objects.filter(pk__in=ids))


def test_anonymous_callers_get_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_patients_get_403(auth_client, patient):
    assert auth_client(patient).get(URL).status_code == 403


def test_admins_list_every_notification_newest_first(auth_client, admin_user, booked):
    response = auth_client(admin_user).get(URL)
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == sorted((row.pk for row in booked), reverse=True)


def test_the_list_filters_by_channel_and_event(auth_client, admin_user, booked):
    response = auth_client(admin_user).get(URL, {"channel": "sms", "event": "booked"})
    assert {row["channel"] for row in response.json()["results"]} == {"sms"}


def test_an_unknown_filter_value_is_a_400(auth_client, admin_user):
    response = auth_client(admin_user).get(URL, {"status": "lost"})
    assert response.status_code == 400


def test_reading_the_list_is_a_patient_record_read(auth_client, admin_user, booked):
    auth_client(admin_user).get(URL)
    entry = AuditLogEntry.objects.get(action="patient_record_read")
    assert entry.details == {"endpoint": "admin-panel/notifications"}


def test_the_list_runs_a_fixed_number_of_queries(
    auth_client, admin_user, booked, django_assert_num_queries
):
    client = auth_client(admin_user)
    with django_assert_num_queries(4):  # the admin, the audit entry, the count, the page
        client.get(URL)
    notifications_record(event="confirmed", appointment_id=booked[0].appointment_id, actor_id=None)
    with django_assert_num_queries(4):
        client.get(URL)


def test_retry_sends_a_failed_notification_again(
    auth_client, admin_user, booked, django_capture_on_commit_callbacks
):
    row = next(r for r in booked if r.channel == "sms" and r.user_id == r.appointment.patient_id)
    Notification.objects.filter(pk=row.pk).update(status="failed", attempts=6)
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(admin_user).post(f"{URL}{row.pk}/retry/")
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 7)
    assert len(sms.outbox) == 1


def test_retry_of_an_unknown_notification_is_a_404(auth_client, admin_user):
    assert auth_client(admin_user).post(f"{URL}999999/retry/").status_code == 404

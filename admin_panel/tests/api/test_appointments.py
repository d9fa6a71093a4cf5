"""/api/admin-panel/appointments/ (+ {id}/): admin CRUD of bookings via the booking services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from admin_panel.tests.factories import AppointmentFactory
from appointments import stats
from appointments.models import AppointmentBooking
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin-panel/appointments/"


def body(schedule, patient, time="09:00", **overrides):
    data = {
        "patient": patient.pk,
        "doctor": schedule.doctor_id,
        "schedule": schedule.pk,
        "appointment_time": time,
    }
    data.update(overrides)
    return data


def test_anonymous_caller_gets_401(api_client):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("role_fixture", ["patient", "doctor"])
def test_non_admins_get_403_on_the_list(request, auth_client, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert auth_client(user).get(URL).status_code == 403


def test_patient_gets_403_on_their_own_appointment_here(auth_client):
    appointment = AppointmentFactory()
    response = auth_client(appointment.patient).delete(f"{URL}{appointment.pk}/")
    assert response.status_code == 403
    assert AppointmentBooking.objects.get().status == "pending"


def test_rows_are_as_the_appointment_detail_shows_them(auth_client, admin_user):
    appointment = AppointmentFactory()
    row = auth_client(admin_user).get(URL).json()["results"][0]
    assert {
        "id",
        "patient",
        "patient_name",
        "doctor",
        "doctor_name",
        "schedule",
        "appointment_date",
        "appointment_time",
        "status",
        "notes",
        "fee",
        "created_at",
    } <= set(row)
    assert (row["patient_name"], row["appointment_time"], row["fee"]) == (
        appointment.patient.full_name,
        "09:00",
        "500.00",
    )


def test_list_is_newest_first(auth_client, admin_user):
    first, second = AppointmentFactory(), AppointmentFactory()
    ids = [row["id"] for row in auth_client(admin_user).get(URL).json()["results"]]
    assert ids == [second.pk, first.pk]


def test_list_filters_by_doctor(auth_client, admin_user):
    wanted = AppointmentFactory()
    AppointmentFactory()
    response = auth_client(admin_user).get(URL, {"doctor": wanted.doctor_id})
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_list_filters_by_patient(auth_client, admin_user):
    wanted = AppointmentFactory()
    AppointmentFactory()
    response = auth_client(admin_user).get(URL, {"patient": wanted.patient_id})
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_list_filters_by_status(auth_client, admin_user):
    AppointmentFactory()
    wanted = AppointmentFactory(status="completed")
    response = auth_client(admin_user).get(URL, {"status": "completed"})
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_list_filters_by_an_inclusive_date_range(auth_client, admin_user):
    today = timezone.localdate()
    AppointmentFactory(schedule__date=today + dt.timedelta(days=1))
    wanted = AppointmentFactory(schedule__date=today + dt.timedelta(days=2))
    AppointmentFactory(schedule__date=today + dt.timedelta(days=3))
    day = (today + dt.timedelta(days=2)).isoformat()
    response = auth_client(admin_user).get(URL, {"date_from": day, "date_to": day})
    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


@pytest.mark.parametrize(
    "params", [{"date_from": "2026-13-01"}, {"date_to": "soon"}, {"status": "lost"}]
)
def test_malformed_filters_are_a_400(auth_client, admin_user, params):
    assert auth_client(admin_user).get(URL, params).status_code == 400


def test_list_runs_a_fixed_number_of_queries(auth_client, admin_user, django_assert_num_queries):
    client = auth_client(admin_user)
    AppointmentFactory()
    # The admin, the audit row, the count and the page with patient and doctor joined.
    with django_assert_num_queries(4):
        client.get(URL)
    AppointmentFactory.create_batch(49)
    with django_assert_num_queries(4):
        assert len(client.get(URL, {"page_size": 100}).json()["results"]) == 50


def test_admin_books_a_slot_for_a_patient(auth_client, admin_user, patient):
    schedule = ScheduleFactory()
    response = auth_client(admin_user).post(URL, body(schedule, patient, notes="Walk-in"))
    assert response.status_code == 201
    stored = AppointmentBooking.objects.get()
    assert (stored.patient_id, stored.schedule_id, stored.status, stored.notes) == (
        patient.pk,
        schedule.pk,
        "pending",
        "Walk-in",
    )


def test_admin_booking_copies_the_doctors_fee(auth_client, admin_user, patient):
    schedule = ScheduleFactory(doctor__doctor_detail__consultation_fee=Decimal("750.00"))
    auth_client(admin_user).post(URL, body(schedule, patient))
    assert AppointmentBooking.objects.get().fee == Decimal("750.00")


def test_admin_can_book_straight_into_confirmed(auth_client, admin_user, patient):
    schedule = ScheduleFactory()
    response = auth_client(admin_user).post(URL, body(schedule, patient, status="confirmed"))
    assert response.json()["status"] == "confirmed"


def test_admin_booking_records_appointment_booked_by_the_admin(auth_client, admin_user, patient):
    auth_client(admin_user).post(URL, body(ScheduleFactory(), patient))
    entry = AuditLogEntry.objects.get(action="appointment_booked")
    assert (entry.actor_id, entry.object_type) == (admin_user.pk, "appointment")


def test_admin_cannot_book_a_taken_slot(auth_client, admin_user, patient):
    taken = AppointmentFactory()
    response = auth_client(admin_user).post(URL, body(taken.schedule, patient))
    assert response.status_code == 400
    assert AppointmentBooking.objects.count() == 1


def test_admin_cannot_book_off_the_slot_grid(auth_client, admin_user, patient):
    response = auth_client(admin_user).post(URL, body(ScheduleFactory(), patient, time="09:10"))
    assert response.status_code == 400
    assert not AppointmentBooking.objects.exists()


def test_admin_cannot_book_an_unverified_doctor(auth_client, admin_user, patient):
    doctor = DoctorFactory(doctor_detail__is_verified=False)
    response = auth_client(admin_user).post(URL, body(ScheduleFactory(doctor=doctor), patient))
    assert response.status_code == 400
    assert "doctor" in response.json()


def test_a_deactivated_doctor_cannot_be_booked(auth_client, admin_user, patient):
    schedule = ScheduleFactory()
    client = auth_client(admin_user)
    client.delete(f"/api/admin-panel/doctors/{schedule.doctor_id}/")
    response = client.post(URL, body(schedule, patient))
    assert response.status_code == 400
    assert not AppointmentBooking.objects.exists()


def test_booking_for_a_non_patient_is_a_400(auth_client, admin_user, doctor):
    response = auth_client(admin_user).post(URL, body(ScheduleFactory(), doctor))
    assert response.status_code == 400
    assert "patient" in response.json()


def test_booking_for_an_inactive_patient_is_a_400(auth_client, admin_user):
    inactive = PatientFactory(is_active=False)
    response = auth_client(admin_user).post(URL, body(ScheduleFactory(), inactive))
    assert response.status_code == 400


def test_booking_with_missing_fields_is_a_400(auth_client, admin_user):
    response = auth_client(admin_user).post(URL, {"patient": "x"})
    assert response.status_code == 400
    assert {"patient", "doctor", "schedule", "appointment_time"} <= set(response.json())


def test_patch_changes_status_and_notes(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).patch(
        f"{URL}{appointment.pk}/", {"status": "completed", "notes": "Seen"}
    )
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert (appointment.status, appointment.notes) == ("completed", "Seen")


def test_patch_ignores_other_fields(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).patch(f"{URL}{appointment.pk}/", {"fee": "1.00", "notes": "n"})
    appointment.refresh_from_db()
    assert appointment.fee == Decimal("500.00")


def test_patch_with_an_unknown_status_is_a_400(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).patch(f"{URL}{appointment.pk}/", {"status": "lost"})
    assert response.status_code == 400
    assert AppointmentBooking.objects.get().status == "pending"


def test_reactivating_into_a_taken_slot_is_a_400(auth_client, admin_user):
    cancelled = AppointmentFactory(status="cancelled")
    AppointmentFactory(schedule=cancelled.schedule, doctor=cancelled.doctor)
    response = auth_client(admin_user).patch(f"{URL}{cancelled.pk}/", {"status": "pending"})
    assert response.status_code == 400
    assert AppointmentBooking.objects.get(pk=cancelled.pk).status == "cancelled"


def test_patch_records_a_status_change(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).patch(f"{URL}{appointment.pk}/", {"status": "confirmed"})
    entry = AuditLogEntry.objects.get(action="appointment_status_changed")
    assert (entry.object_id, entry.details["new_status"]) == (appointment.pk, "confirmed")


def test_delete_cancels_and_keeps_the_row(auth_client, admin_user):
    appointment = AppointmentFactory()
    response = auth_client(admin_user).delete(f"{URL}{appointment.pk}/")
    assert response.status_code == 204
    assert AppointmentBooking.objects.get(pk=appointment.pk).status == "cancelled"


def test_delete_records_a_cancellation(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).delete(f"{URL}{appointment.pk}/")
    assert AuditLogEntry.objects.get(action="appointment_cancelled").object_id == appointment.pk


def test_deleting_a_completed_appointment_is_a_400(auth_client, admin_user):
    appointment = AppointmentFactory(status="completed")
    response = auth_client(admin_user).delete(f"{URL}{appointment.pk}/")
    assert response.status_code == 400
    assert AppointmentBooking.objects.get().status == "completed"


def test_deleting_an_already_cancelled_appointment_is_a_204_that_changes_nothing(
    auth_client, admin_user
):
    appointment = AppointmentFactory(status="cancelled")
    response = auth_client(admin_user).delete(f"{URL}{appointment.pk}/")
    assert response.status_code == 204
    assert not AuditLogEntry.objects.filter(action="appointment_cancelled").exists()


def test_unknown_id_is_a_404(auth_client, admin_user):
    assert auth_client(admin_user).get(f"{URL}999999/").status_code == 404


def test_reading_one_appointment_records_patient_record_read(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).get(f"{URL}{appointment.pk}/")
    entry = AuditLogEntry.objects.get(action="patient_record_read")
    assert (entry.object_type, entry.object_id) == ("appointment", appointment.pk)


@pytest.mark.postgres
@pytest.mark.skipif(not stats.kept(), reason="only PostgreSQL keeps the per-doctor summaries")
def test_unfiltered_list_counts_every_booking_without_counting_the_table(auth_client, admin_user):
    bookings = AppointmentFactory.create_batch(5, status="cancelled")
    AppointmentFactory(status="completed")
    AppointmentBooking.objects.filter(pk=bookings[0].pk).delete()
    with CaptureQueriesContext(connection) as context:
        body = auth_client(admin_user).get(URL, {"page_size": 2}).json()
    assert body["count"] == AppointmentBooking.objects.count() == 5
    assert "page=2" in body["next"]
    # The total comes from the per-doctor summaries, not COUNT(*) over the bookings.
    assert not any(
        "COUNT(*)" in q["sql"] and "appointments_appointmentbooking" in q["sql"]
        for q in context.captured_queries
    )


def test_filtered_list_counts_only_the_matching_bookings(auth_client, admin_user):
    AppointmentFactory.create_batch(3, status="cancelled")
    AppointmentFactory(status="completed")
    body = auth_client(admin_user).get(URL, {"status": "completed"}).json()
    assert body["count"] == 1


def test_list_and_detail_rows_carry_exactly_the_admin_fields(auth_client, admin_user):
    from admin_panel.serializers import AppointmentAdminOutputSerializer

    booking = AppointmentFactory()
    client = auth_client(admin_user)
    (row,) = client.get(URL).json()["results"]
    detail = client.get(f"{URL}{booking.pk}/").json()
    assert list(row) == list(detail) == AppointmentAdminOutputSerializer.Meta.fields
    assert "updated_at" in row

"""The audit trail records the contract's actions, append-only, with the right client IP."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.utils import DatabaseError
from rest_framework_simplejwt.tokens import RefreshToken

from admin_panel.models import AuditLogEntry
from admin_panel.services import audit_entry_create
from admin_panel.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory
from healthcare.events import emit
from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db


def login(client, user, password=PASSWORD, **extra):
    return client.post(
        "/api/token/", {"mobile_number": user.mobile_number, "password": password}, **extra
    )


def only_entry(action):
    entries = list(AuditLogEntry.objects.filter(action=action))
    assert len(entries) == 1, f"expected one {action} entry, got {len(entries)}"
    return entries[0]


def test_successful_login_is_recorded_with_the_actor(api_client, patient):
    login(api_client, patient)
    entry = only_entry("login_succeeded")
    assert (entry.actor_id, entry.actor_role, entry.object_type, entry.object_id) == (
        patient.pk,
        "patient",
        "user",
        patient.pk,
    )


def test_failed_login_is_recorded_without_actor_and_with_a_masked_number(api_client, patient):
    login(api_client, patient, password="wrong-password-1")
    entry = only_entry("login_failed")
    assert entry.actor_id is None
    assert (entry.object_type, entry.object_id) == ("user", patient.pk)
    assert entry.details["mobile_number"] == "*" * 11 + patient.mobile_number[-3:]


def test_failed_login_for_an_unknown_number_has_no_object_id(api_client, db):
    api_client.post("/api/token/", {"mobile_number": "01799999999", "password": "x-Password-1"})
    assert only_entry("login_failed").object_id is None


def test_failed_login_details_hold_no_password_or_full_number(api_client, patient):
    login(api_client, patient, password="Secret-Guess-99")
    stored = json.dumps(only_entry("login_failed").details)
    assert "Secret-Guess-99" not in stored
    assert patient.mobile_number not in stored
    assert patient.mobile_number[-10:] not in stored


def test_logout_is_recorded(auth_client, patient):
    refresh = RefreshToken.for_user(patient)
    auth_client(patient).post("/api/logout/", {"refresh": str(refresh)})
    assert only_entry("logout").actor_id == patient.pk


def test_logout_entry_holds_no_token(auth_client, patient):
    refresh = str(RefreshToken.for_user(patient))
    auth_client(patient).post("/api/logout/", {"refresh": refresh})
    assert refresh not in json.dumps(only_entry("logout").details)


def test_registration_is_recorded(api_client, db):
    api_client.post(
        "/api/register/",
        {"mobile_number": "01712345678", "password": "Correct-Horse-42", "full_name": "Rahim"},
    )
    entry = only_entry("registered")
    assert entry.object_type == "user"
    assert entry.actor_id == entry.object_id


def test_registration_entry_holds_no_password_or_full_number(api_client, db):
    api_client.post(
        "/api/register/",
        {"mobile_number": "01712345678", "password": "Correct-Horse-42", "full_name": "Rahim"},
    )
    stored = json.dumps(only_entry("registered").details)
    assert "Correct-Horse-42" not in stored
    assert "1712345678" not in stored


def test_profile_update_is_recorded(auth_client, patient):
    auth_client(patient).patch("/api/profile/", {"full_name": "New Name"})
    assert only_entry("profile_updated").actor_id == patient.pk


def test_admin_creating_a_patient_is_recorded(auth_client, admin_user):
    auth_client(admin_user).post(
        "/api/admin-panel/patients/",
        {"mobile_number": "01712345678", "password": "Correct-Horse-42", "full_name": "Karim"},
    )
    entry = only_entry("admin_created")
    assert (entry.actor_id, entry.actor_role, entry.object_type) == (admin_user.pk, "admin", "user")


def test_admin_created_entry_holds_no_password(auth_client, admin_user):
    auth_client(admin_user).post(
        "/api/admin-panel/patients/",
        {"mobile_number": "01712345678", "password": "Correct-Horse-42", "full_name": "Karim"},
    )
    assert "Correct-Horse-42" not in json.dumps(only_entry("admin_created").details)


def test_admin_updating_a_doctor_is_recorded(auth_client, admin_user, doctor):
    auth_client(admin_user).patch(f"/api/admin-panel/doctors/{doctor.pk}/", {"full_name": "Dr X"})
    entry = only_entry("admin_updated")
    assert (entry.object_type, entry.object_id) == ("user", doctor.pk)


def test_admin_deactivating_a_patient_is_recorded(auth_client, admin_user, patient):
    auth_client(admin_user).delete(f"/api/admin-panel/patients/{patient.pk}/")
    assert only_entry("admin_deactivated").object_id == patient.pk


def test_admin_reading_the_patients_list_is_recorded(auth_client, admin_user, patient):
    auth_client(admin_user).get("/api/admin-panel/patients/")
    assert only_entry("patient_record_read").actor_id == admin_user.pk


def test_admin_reading_one_patient_is_recorded_with_its_id(auth_client, admin_user, patient):
    auth_client(admin_user).get(f"/api/admin-panel/patients/{patient.pk}/")
    entry = only_entry("patient_record_read")
    assert (entry.object_type, entry.object_id) == ("user", patient.pk)


def test_admin_reading_the_reports_is_recorded(auth_client, admin_user):
    auth_client(admin_user).get("/api/admin-panel/reports/")
    assert only_entry("patient_record_read").details["endpoint"] == "admin-panel/reports"


def test_admin_reading_the_appointments_list_is_recorded(auth_client, admin_user):
    auth_client(admin_user).get("/api/admin-panel/appointments/")
    assert only_entry("patient_record_read").details["endpoint"] == "admin-panel/appointments"


def test_a_refused_request_records_no_patient_record_read(auth_client, doctor):
    auth_client(doctor).get("/api/admin-panel/patients/")
    assert not AuditLogEntry.objects.filter(action="patient_record_read").exists()


def test_an_entry_refuses_to_be_saved_again(db):
    entry = audit_entry_create(action="logout")
    entry.action = "login_succeeded"
    with pytest.raises(PermissionDenied):
        entry.save()
    assert AuditLogEntry.objects.get().action == "logout"


def test_an_entry_refuses_to_be_deleted(db):
    entry = audit_entry_create(action="logout")
    with pytest.raises(PermissionDenied):
        entry.delete()
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_of_entries_is_refused(db):
    audit_entry_create(action="logout")
    with pytest.raises(PermissionDenied):
        AuditLogEntry.objects.update(action="tampered")
    assert AuditLogEntry.objects.get().action == "logout"


def test_bulk_delete_of_entries_is_refused(db):
    audit_entry_create(action="logout")
    with pytest.raises(PermissionDenied):
        AuditLogEntry.objects.all().delete()
    assert AuditLogEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_a_raw_update_of_an_entry(db):
    entry = audit_entry_create(action="logout")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE admin_panel_auditlogentry SET action = 'tampered' WHERE id = %s", [entry.pk]
        )
    assert AuditLogEntry.objects.get().action == "logout"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_a_raw_delete_of_an_entry(db):
    entry = audit_entry_create(action="logout")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM admin_panel_auditlogentry WHERE id = %s", [entry.pk])
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_secret_keys_in_event_details_are_dropped(db):
    emit("logout", details={"password": "p", "refresh": "r", "access_token": "a", "kept": 1})
    assert only_entry("logout").details == {"kept": 1}


def test_a_full_mobile_number_in_event_details_is_masked(db):
    emit("logout", details={"mobile_number": "+8801712345678"})
    assert only_entry("logout").details["mobile_number"] == "***********678"


def test_ip_is_remote_addr_when_no_proxy_is_trusted(api_client, patient, settings):
    settings.DJANGO_TRUSTED_PROXIES = 0
    login(api_client, patient, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert only_entry("login_succeeded").ip == "203.0.113.7"


def test_ip_is_the_last_forwarded_entry_with_one_trusted_proxy(api_client, patient, settings):
    settings.DJANGO_TRUSTED_PROXIES = 1
    login(
        api_client,
        patient,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
    )
    assert only_entry("login_succeeded").ip == "203.0.113.9"


def test_a_forwarded_value_that_is_no_address_is_stored_as_no_ip(api_client, settings, db):
    settings.DJANGO_TRUSTED_PROXIES = 1
    user = PatientFactory()
    login(api_client, user, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert only_entry("login_succeeded").ip is None


def test_a_patients_booking_is_recorded(auth_client, patient):
    schedule = ScheduleFactory()
    response = auth_client(patient).post(
        "/api/appointments/book/",
        {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": "09:00"},
    )
    entry = only_entry("appointment_booked")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        patient.pk,
        "appointment",
        response.json()["id"],
    )


def test_a_patients_cancellation_is_recorded(auth_client):
    appointment = AppointmentFactory()
    auth_client(appointment.patient).post(f"/api/appointments/{appointment.pk}/cancel/")
    entry = only_entry("appointment_cancelled")
    assert (entry.actor_id, entry.object_id) == (appointment.patient_id, appointment.pk)


def test_an_admins_status_change_through_the_appointments_api_is_recorded(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).patch(f"/api/appointments/{appointment.pk}/", {"status": "completed"})
    entry = only_entry("appointment_status_changed")
    assert (entry.actor_id, entry.details["new_status"]) == (admin_user.pk, "completed")


def test_an_admin_reading_an_appointment_is_recorded(auth_client, admin_user):
    appointment = AppointmentFactory()
    auth_client(admin_user).get(f"/api/appointments/{appointment.pk}/")
    entry = only_entry("patient_record_read")
    assert (entry.actor_id, entry.object_id) == (admin_user.pk, appointment.pk)

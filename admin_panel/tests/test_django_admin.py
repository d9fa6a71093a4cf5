"""The Django admin site: who gets in, and that its edits go through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from admin_panel.models import AuditLogEntry
from admin_panel.services import audit_entry_create
from admin_panel.tests.factories import AppointmentFactory
from appointments.models import AppointmentBooking
from doctors.models import DoctorDetail, DoctorSchedule
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from users.models import User
from users.tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

USERS = "/admin/users/user/"
APPOINTMENTS = "/admin/appointments/appointmentbooking/"
AUDIT = "/admin/admin_panel/auditlogentry/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def sign_in(client, user):
    return client.post(
        "/admin/login/?next=/admin/", {"username": user.mobile_number, "password": PASSWORD}
    )


def test_an_admin_signs_in_to_the_admin_site(client, admin_user):
    response = sign_in(client, admin_user)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role_fixture", ["patient", "doctor"])
def test_patients_and_doctors_cannot_sign_in_to_the_admin_site(request, client, role_fixture):
    sign_in(client, request.getfixturevalue(role_fixture))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_signed_in_patient_session_is_refused_by_the_admin_site(client, patient):
    client.force_login(patient)
    assert client.get(USERS).status_code == 302


def add_user_data(**overrides):
    data = {
        "mobile_number": "01712345678",
        "full_name": "Dr Admin Made",
        "email": "",
        "role": "doctor",
        "password1": "Correct-Horse-42",
        "password2": "Correct-Horse-42",
    }
    data.update(overrides)
    return data


def test_creating_a_user_in_the_admin_hashes_the_password(admin_client):
    response = admin_client.post(f"{USERS}add/", add_user_data(role="patient"))
    assert response.status_code == 302
    user = User.objects.get(mobile_number="+8801712345678")
    assert user.password != "Correct-Horse-42"
    assert user.check_password("Correct-Horse-42")


def test_a_doctor_created_in_the_admin_is_verified(admin_client):
    admin_client.post(f"{USERS}add/", add_user_data())
    assert DoctorDetail.objects.get(doctor__mobile_number="+8801712345678").is_verified


def test_creating_a_user_in_the_admin_is_audited(admin_client, admin_user):
    admin_client.post(f"{USERS}add/", add_user_data())
    assert AuditLogEntry.objects.get(action="admin_created").actor_id == admin_user.pk


def test_the_admin_refuses_a_weak_password(admin_client):
    response = admin_client.post(
        f"{USERS}add/", add_user_data(password1="12345678", password2="12345678")
    )
    assert response.status_code == 200
    assert not User.objects.filter(mobile_number="+8801712345678").exists()


def test_users_can_be_filtered_by_role(admin_client, patient, doctor):
    response = admin_client.get(USERS, {"role__exact": "doctor"})
    assert list(response.context["cl"].result_list) == [doctor]


def test_users_can_be_searched_by_name(admin_client, patient):
    PatientFactory(full_name="Someone Else")
    response = admin_client.get(USERS, {"q": patient.full_name})
    assert list(response.context["cl"].result_list) == [patient]


def test_users_can_be_searched_by_a_local_form_number(admin_client):
    wanted = PatientFactory(mobile_number="+8801812345678")
    PatientFactory()
    response = admin_client.get(USERS, {"q": "01812345678"})
    assert list(response.context["cl"].result_list) == [wanted]


def test_users_cannot_be_deleted_in_the_admin(admin_client, patient):
    assert admin_client.post(f"{USERS}{patient.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=patient.pk).exists()


def doctor_change_data(doctor, schedules=(), **detail):
    detail_row = DoctorDetail.objects.get(pk=doctor.pk)
    data = {
        "mobile_number": doctor.mobile_number,
        "full_name": doctor.full_name,
        "email": doctor.email,
        "is_active": "on",
        "doctor_detail-TOTAL_FORMS": "1",
        "doctor_detail-INITIAL_FORMS": "1",
        "doctor_detail-MIN_NUM_FORMS": "1",
        "doctor_detail-MAX_NUM_FORMS": "1",
        "doctor_detail-0-doctor": str(doctor.pk),
        "doctor_detail-0-license_number": detail_row.license_number or "",
        "doctor_detail-0-specialization": detail_row.specialization,
        "doctor_detail-0-experience_years": str(detail_row.experience_years),
        "doctor_detail-0-consultation_fee": str(detail_row.consultation_fee),
        "doctor_detail-0-location": detail_row.location,
        "doctor_detail-0-bio": detail_row.bio,
        "schedules-TOTAL_FORMS": str(len(schedules)),
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "1000",
    }
    for prefix in ("working_hours", "time_off"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    if detail_row.is_verified:
        data["doctor_detail-0-is_verified"] = "on"
    data.update({f"doctor_detail-0-{key}": value for key, value in detail.items()})
    for index, (date, start, end) in enumerate(schedules):
        data.update(
            {
                f"schedules-{index}-id": "",
                f"schedules-{index}-doctor": str(doctor.pk),
                f"schedules-{index}-date": date.isoformat(),
                f"schedules-{index}-start_time": start,
                f"schedules-{index}-end_time": end,
            }
        )
    return data


def tomorrow():
    return timezone.localdate() + dt.timedelta(days=1)


def test_a_doctors_page_has_the_details_and_schedule_inlines(admin_client, doctor):
    response = admin_client.get(f"{USERS}{doctor.pk}/change/")
    assert "doctor_detail-TOTAL_FORMS" in response.content.decode()
    assert "schedules-TOTAL_FORMS" in response.content.decode()
    assert "working_hours-TOTAL_FORMS" in response.content.decode()
    assert "time_off-TOTAL_FORMS" in response.content.decode()


def test_a_patients_page_has_no_doctor_inlines(admin_client, patient):
    response = admin_client.get(f"{USERS}{patient.pk}/change/")
    assert "doctor_detail-TOTAL_FORMS" not in response.content.decode()


def test_details_and_a_schedule_are_saved_inline(admin_client, doctor):
    data = doctor_change_data(
        doctor, [(tomorrow(), "09:00", "12:00")], specialization="Dermatology"
    )
    response = admin_client.post(f"{USERS}{doctor.pk}/change/", data)
    assert response.status_code == 302
    assert DoctorDetail.objects.get(pk=doctor.pk).specialization == "Dermatology"
    schedule = DoctorSchedule.objects.get(doctor=doctor)
    assert (schedule.date, schedule.start_time) == (tomorrow(), dt.time(9))


def test_overlapping_schedules_are_refused_inline(admin_client, doctor):
    data = doctor_change_data(
        doctor, [(tomorrow(), "09:00", "12:00"), (tomorrow(), "11:00", "13:00")]
    )
    response = admin_client.post(f"{USERS}{doctor.pk}/change/", data)
    assert response.status_code == 200
    assert "Overlaps" in response.content.decode()
    assert not DoctorSchedule.objects.filter(doctor=doctor).exists()


def test_a_schedule_too_short_for_a_slot_is_refused_inline(admin_client, doctor):
    data = doctor_change_data(doctor, [(tomorrow(), "09:00", "09:20")])
    response = admin_client.post(f"{USERS}{doctor.pk}/change/", data)
    assert response.status_code == 200
    assert not DoctorSchedule.objects.filter(doctor=doctor).exists()


def test_a_taken_license_number_is_refused_inline(admin_client, doctor):
    other = DoctorFactory()
    data = doctor_change_data(doctor, license_number=other.doctor_detail.license_number)
    response = admin_client.post(f"{USERS}{doctor.pk}/change/", data)
    assert response.status_code == 200
    assert DoctorDetail.objects.get(pk=doctor.pk).license_number != (
        other.doctor_detail.license_number
    )


def test_deactivating_in_the_admin_is_audited(admin_client, doctor):
    data = doctor_change_data(doctor)
    del data["is_active"]
    admin_client.post(f"{USERS}{doctor.pk}/change/", data)
    assert User.objects.get(pk=doctor.pk).is_active is False
    assert AuditLogEntry.objects.get(action="admin_deactivated").object_id == doctor.pk


def test_the_complete_action_completes_through_the_lifecycle_service(admin_client, admin_user):
    appointment = AppointmentFactory(schedule__date=timezone.localdate() - dt.timedelta(days=1))
    admin_client.post(
        APPOINTMENTS, {"action": "mark_completed", "_selected_action": [appointment.pk]}
    )
    assert AppointmentBooking.objects.get().status == "completed"
    assert AuditLogEntry.objects.get(action="appointment_completed").actor_id == admin_user.pk


def test_the_complete_action_refuses_an_appointment_that_has_not_started(admin_client):
    appointment = AppointmentFactory()
    response = admin_client.post(
        APPOINTMENTS,
        {"action": "mark_completed", "_selected_action": [appointment.pk]},
        follow=True,
    )
    assert AppointmentBooking.objects.get().status == "pending"
    assert f"#{appointment.pk}" in response.content.decode()


def test_the_check_in_action_checks_in_todays_appointment(admin_client):
    appointment = AppointmentFactory(schedule__date=timezone.localdate())
    admin_client.post(
        APPOINTMENTS, {"action": "mark_checked_in", "_selected_action": [appointment.pk]}
    )
    assert AppointmentBooking.objects.get().status == "checked_in"


def test_the_no_show_action_marks_a_past_appointment(admin_client):
    appointment = AppointmentFactory(schedule__date=timezone.localdate() - dt.timedelta(days=1))
    admin_client.post(
        APPOINTMENTS, {"action": "mark_no_show", "_selected_action": [appointment.pk]}
    )
    assert AppointmentBooking.objects.get().status == "no_show"


def test_the_decline_action_cancels_with_reason_declined(admin_client):
    appointment = AppointmentFactory()
    admin_client.post(
        APPOINTMENTS, {"action": "mark_declined", "_selected_action": [appointment.pk]}
    )
    stored = AppointmentBooking.objects.get()
    assert (stored.status, stored.cancellation_reason) == ("cancelled", "declined")


def test_the_change_page_shows_the_reschedule_chain(admin_client):
    old = AppointmentFactory(status="cancelled", cancellation_reason="rescheduled")
    new = AppointmentFactory(patient=old.patient, rescheduled_from=old)
    AppointmentBooking.objects.filter(pk=old.pk).update(rescheduled_to=new)
    page = admin_client.get(f"{APPOINTMENTS}{new.pk}/change/").content.decode()
    assert f"{APPOINTMENTS}{old.pk}/change/" in page


def test_the_confirm_action_confirms(admin_client):
    appointment = AppointmentFactory()
    admin_client.post(
        APPOINTMENTS, {"action": "mark_confirmed", "_selected_action": [appointment.pk]}
    )
    assert AppointmentBooking.objects.get().status == "confirmed"


def test_the_cancel_action_refuses_a_completed_appointment(admin_client):
    appointment = AppointmentFactory(status="completed")
    response = admin_client.post(
        APPOINTMENTS,
        {"action": "mark_cancelled", "_selected_action": [appointment.pk]},
        follow=True,
    )
    assert AppointmentBooking.objects.get().status == "completed"
    assert f"#{appointment.pk}" in response.content.decode()


def test_the_cancel_action_cancels_an_active_appointment(admin_client):
    appointment = AppointmentFactory()
    admin_client.post(
        APPOINTMENTS, {"action": "mark_cancelled", "_selected_action": [appointment.pk]}
    )
    assert AppointmentBooking.objects.get().status == "cancelled"


def test_reactivating_into_a_taken_slot_is_refused_in_the_change_form(admin_client):
    cancelled = AppointmentFactory(status="cancelled")
    AppointmentFactory(schedule=cancelled.schedule, doctor=cancelled.doctor)
    response = admin_client.post(
        f"{APPOINTMENTS}{cancelled.pk}/change/", {"status": "pending", "notes": ""}
    )
    assert response.status_code == 200
    assert AppointmentBooking.objects.get(pk=cancelled.pk).status == "cancelled"


def test_appointments_can_be_filtered_by_doctor(admin_client):
    wanted = AppointmentFactory()
    AppointmentFactory()
    response = admin_client.get(APPOINTMENTS, {"doctor": wanted.doctor_id})
    assert list(response.context["cl"].result_list) == [wanted]


def test_appointments_cannot_be_deleted_in_the_admin(admin_client):
    appointment = AppointmentFactory()
    response = admin_client.post(f"{APPOINTMENTS}{appointment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AppointmentBooking.objects.filter(pk=appointment.pk).exists()


def test_the_audit_trail_is_viewable_in_the_admin(admin_client):
    entry = audit_entry_create(action="logout")
    assert admin_client.get(f"{AUDIT}{entry.pk}/change/").status_code == 200


def test_an_audit_entry_cannot_be_changed_in_the_admin(admin_client):
    entry = audit_entry_create(action="logout")
    admin_client.post(f"{AUDIT}{entry.pk}/change/", {"action": "tampered"})
    assert AuditLogEntry.objects.get(pk=entry.pk).action == "logout"


def test_an_audit_entry_cannot_be_deleted_in_the_admin(admin_client):
    entry = audit_entry_create(action="logout")
    response = admin_client.post(f"{AUDIT}{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_audit_entries_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(f"{AUDIT}add/").status_code == 403


def test_the_audit_admin_grants_no_add_change_or_delete(rf, admin_user):
    from django.contrib import admin

    model_admin = admin.site._registry[AuditLogEntry]
    request = rf.get("/")
    request.user = admin_user
    assert not any(
        (
            model_admin.has_add_permission(request),
            model_admin.has_change_permission(request),
            model_admin.has_delete_permission(request),
        )
    )


def test_users_changelist_runs_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    PatientFactory()
    admin_client.get(USERS)
    with django_assert_max_num_queries(8) as first:
        admin_client.get(USERS)
    PatientFactory.create_batch(49)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = admin_client.get(USERS)
    assert response.context["cl"].result_count == 51  # 50 patients and the admin


def test_appointments_changelist_runs_a_fixed_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    AppointmentFactory()
    admin_client.get(APPOINTMENTS)
    with django_assert_max_num_queries(10) as first:
        admin_client.get(APPOINTMENTS)
    AppointmentFactory.create_batch(49)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = admin_client.get(APPOINTMENTS)
    assert response.context["cl"].result_count == 50


def add_booking_data(schedule, patient, time="09:00"):
    return {
        "patient": str(patient.pk),
        "doctor": str(schedule.doctor_id),
        "schedule": str(schedule.pk),
        "appointment_time": time,
        "status": "pending",
        "notes": "",
    }


def test_an_admin_books_through_the_admin_site(admin_client, admin_user, patient):
    schedule = ScheduleFactory()
    response = admin_client.post(f"{APPOINTMENTS}add/", add_booking_data(schedule, patient))
    assert response.status_code == 302
    booking = AppointmentBooking.objects.get()
    assert (booking.patient_id, booking.schedule_id, booking.fee) == (
        patient.pk,
        schedule.pk,
        schedule.doctor.doctor_detail.consultation_fee,
    )
    assert AuditLogEntry.objects.get(action="appointment_booked").actor_id == admin_user.pk


def test_the_admin_site_refuses_a_taken_slot(admin_client, patient):
    taken = AppointmentFactory()
    response = admin_client.post(f"{APPOINTMENTS}add/", add_booking_data(taken.schedule, patient))
    assert response.status_code == 200
    assert AppointmentBooking.objects.count() == 1


def test_the_admin_site_refuses_a_time_off_the_slot_grid(admin_client, patient):
    schedule = ScheduleFactory()
    response = admin_client.post(
        f"{APPOINTMENTS}add/", add_booking_data(schedule, patient, time="09:10")
    )
    assert response.status_code == 200
    assert not AppointmentBooking.objects.exists()
    assert not AuditLogEntry.objects.filter(action="appointment_booked").exists()


def test_the_add_booking_page_renders(admin_client):
    response = admin_client.get(f"{APPOINTMENTS}add/")
    assert response.status_code == 200
    assert 'name="appointment_time"' in response.content.decode()


def test_deactivating_in_the_admin_revokes_the_accounts_refresh_tokens(admin_client, doctor):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    refresh = str(RefreshToken.for_user(doctor))
    data = doctor_change_data(doctor)
    del data["is_active"]
    admin_client.post(f"{USERS}{doctor.pk}/change/", data)
    # Even once reactivated, the old session stays revoked.
    User.objects.filter(pk=doctor.pk).update(is_active=True)
    response = APIClient().post("/api/token/refresh/", {"refresh": refresh}, format="json")
    assert response.status_code == 401

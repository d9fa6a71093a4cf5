"""The Django admin in a real browser (Playwright driving Debian's Chromium) on live_server.

Screenshots of each page land in test-artifacts/ (git-ignored) for a person to look at.
"""

import datetime as dt

import pytest
from django.utils import timezone

from admin_panel.tests.factories import AppointmentFactory
from appointments.models import AppointmentBooking
from doctors.models import DoctorDetail, DoctorSchedule
from healthcare.tests.browser import ARTIFACTS, BROWSER_TEST, browser_page
from users.models import User
from users.tests.factories import PASSWORD, AdminFactory, PatientFactory

pytestmark = BROWSER_TEST


@pytest.fixture
def page(live_server, settings, monkeypatch):
    # The live server speaks plain HTTP: secure-only cookies would never be sent back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    with browser_page(live_server.url, monkeypatch, timeout_ms=20_000) as page:
        yield page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, user) -> None:
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", user.mobile_number)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_admin_creates_a_doctor_with_details_and_a_schedule(page):
    admin_user = AdminFactory()
    sign_in(page, admin_user)
    page.wait_for_selector("text=Site administration")
    shot(page, "01-admin-home")

    page.goto("/admin/users/user/add/")
    page.fill("#id_mobile_number", "01712345678")
    page.fill("#id_full_name", "Dr Browser Made")
    page.fill("#id_email", "browser@example.com")
    page.select_option("#id_role", "doctor")
    page.fill("#id_password1", "Correct-Horse-42")
    page.fill("#id_password2", "Correct-Horse-42")
    shot(page, "02-add-doctor")
    page.click("input[name=_continue]")
    page.wait_for_selector("#id_doctor_detail-0-license_number")

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.fill("#id_doctor_detail-0-license_number", "BMDC-BROWSER-1")
    page.fill("#id_doctor_detail-0-specialization", "Cardiology")
    page.fill("#id_doctor_detail-0-consultation_fee", "650.00")
    page.fill("#id_schedules-0-date", tomorrow.isoformat())
    page.fill("#id_schedules-0-start_time", "09:00")
    page.fill("#id_schedules-0-end_time", "12:00")
    shot(page, "03-doctor-inlines")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was changed successfully")
    shot(page, "04-doctor-saved")

    doctor = User.objects.get(mobile_number="+8801712345678")
    detail = DoctorDetail.objects.get(pk=doctor.pk)
    assert (doctor.role, detail.license_number, detail.is_verified) == (
        "doctor",
        "BMDC-BROWSER-1",
        True,
    )
    assert doctor.check_password("Correct-Horse-42")
    schedule = DoctorSchedule.objects.get(doctor=doctor)
    assert (schedule.date, schedule.start_time, schedule.end_time) == (
        tomorrow,
        dt.time(9),
        dt.time(12),
    )


def test_admin_finds_a_booking_and_marks_it_completed(page):
    admin_user = AdminFactory()
    # Yesterday's visit: an appointment can be completed only at or after its start.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    appointment = AppointmentFactory(
        patient__full_name="Findable Patient", schedule__date=yesterday
    )
    AppointmentFactory()
    sign_in(page, admin_user)
    page.wait_for_selector("text=Site administration")

    page.goto("/admin/appointments/appointmentbooking/?q=Findable")
    page.wait_for_selector(f"input[name=_selected_action][value='{appointment.pk}']")
    shot(page, "05-appointments-found")
    page.check(f"input[name=_selected_action][value='{appointment.pk}']")
    page.select_option("select[name=action]", "mark_completed")
    page.click("button[name=index]")
    page.wait_for_selector("text=1 appointment(s) completed.")
    shot(page, "06-appointment-completed")

    statuses = dict(AppointmentBooking.objects.values_list("pk", "status"))
    assert statuses.pop(appointment.pk) == "completed"
    assert set(statuses.values()) == {"pending"}


def test_a_patient_is_refused_at_the_admin_site(page):
    patient = PatientFactory()
    sign_in(page, patient)
    page.wait_for_selector(".errornote")
    shot(page, "07-patient-refused")
    assert "/admin/login/" in page.url
    page.goto("/admin/users/user/")
    assert "/admin/login/" in page.url

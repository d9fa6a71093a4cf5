"""The Django admin in a real browser (Playwright driving Debian's Chromium) on live_server.

Screenshots of each page land in test-artifacts/ (git-ignored) for a person to look at.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone

from admin_panel.tests.factories import AppointmentFactory
from appointments.models import AppointmentBooking
from doctors.models import DoctorDetail, DoctorSchedule
from users.models import User
from users.tests.factories import PASSWORD, AdminFactory, PatientFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -r requirements.txt)"
)
pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"{CHROMIUM} is missing (apt-get install -y chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(live_server, settings, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe, so Django's async guard is lifted for these tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server speaks plain HTTP: secure-only cookies would never be sent back.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(20_000)
        yield context.new_page()
        context.close()
        browser.close()
        # While Playwright's loop runs, the test's ORM calls get a database session of their
        # own that nothing else closes; left open, the test database can't be dropped.
        for connection in connections.all(initialized_only=True):
            if connection.vendor != "sqlite":
                connection.close()


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
    appointment = AppointmentFactory(patient__full_name="Findable Patient")
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

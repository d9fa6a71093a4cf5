import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from appointments.management.commands.seed_demo import DEMO_PASSWORD, PATIENTS
from appointments.models import AppointmentBooking
from doctors.models import DoctorDetail, DoctorSchedule
from users.models import User

pytestmark = pytest.mark.django_db


def seed():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts():
    return (
        User.objects.count(),
        DoctorDetail.objects.count(),
        DoctorSchedule.objects.count(),
        AppointmentBooking.objects.count(),
        tuple(AppointmentBooking.objects.values_list("status", flat=True).order_by("id")),
    )


def test_seeding_twice_adds_nothing_the_second_time():
    seed()
    first = counts()
    seed()
    assert counts() == first


def test_seed_makes_one_admin_and_twenty_patients():
    seed()
    assert User.objects.filter(role="admin", is_superuser=True).count() == 1
    assert User.objects.filter(role="patient").count() == 20


def test_seed_makes_verified_doctors_across_specializations_and_cities():
    seed()
    verified = DoctorDetail.objects.filter(is_verified=True)
    assert verified.count() >= 12
    assert len(set(verified.values_list("specialization", flat=True))) >= 5
    cities = {loc.rsplit(", ", 1)[-1] for loc in verified.values_list("location", flat=True)}
    assert len(cities) >= 5
    assert not verified.filter(license_number=None).exists()


def test_seed_makes_one_unverified_self_registered_doctor():
    seed()
    unverified = DoctorDetail.objects.filter(is_verified=False)
    assert unverified.count() == 1
    assert unverified.get().license_number is None


def test_every_verified_doctor_has_schedules_for_the_next_fourteen_days():
    seed()
    today = timezone.localdate()
    window = {today + dt.timedelta(days=n) for n in range(14)}
    for detail in DoctorDetail.objects.filter(is_verified=True):
        dates = set(
            DoctorSchedule.objects.filter(doctor_id=detail.pk, date__gte=today).values_list(
                "date", flat=True
            )
        )
        assert window <= dates


def test_seed_bookings_are_active_ahead_and_final_behind():
    seed()
    today = timezone.localdate()
    ahead = AppointmentBooking.objects.filter(appointment_date__gte=today)
    behind = AppointmentBooking.objects.filter(appointment_date__lt=today)
    assert set(ahead.values_list("status", flat=True)) == {"pending", "confirmed"}
    assert {"completed", "cancelled"} <= set(behind.values_list("status", flat=True))
    assert not behind.filter(status__in=["pending", "confirmed"]).exists()
    assert not AppointmentBooking.objects.filter(schedule=None).exists()


def test_seeded_bookings_sit_on_their_schedules_slots():
    seed()
    for booking in AppointmentBooking.objects.select_related("schedule", "doctor__doctor_detail"):
        schedule = booking.schedule
        assert (schedule.doctor_id, schedule.date) == (booking.doctor_id, booking.appointment_date)
        assert schedule.start_time <= booking.appointment_time < schedule.end_time
        assert booking.fee == booking.doctor.doctor_detail.consultation_fee


def test_seeded_demo_patient_signs_in_through_the_api(api_client):
    seed()
    response = api_client.post(
        "/api/token/", {"mobile_number": PATIENTS[0][0], "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200


def test_seed_prints_progress_and_the_demo_logins():
    output = seed()
    assert "schedules:" in output
    assert DEMO_PASSWORD in output
    assert PATIENTS[0][0] in output

"""The seed keeps the booking rules and gives the scenarios what they need (PostgreSQL: COPY)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Count, F
from django.utils import timezone

from appointments.models import ACTIVE_Q, AppointmentBooking
from bench.seed import HEAVY_ROWS, PASSWORD, seed
from doctors.availability import blocked_intervals, slot_is_blocked
from doctors.models import DoctorSchedule, TimeOff, WorkingHours
from doctors.slots import is_slot_start, slot_times
from healthcare import clinic
from users.models import User

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the seed loads with COPY"),
]


@pytest.fixture
def seeded(transactional_db):
    # Scale 0 gives the floor sizes: 20 doctors, 500 patients, about 5,000 bookings.
    return seed(scale=0)


def test_seed_gives_each_heavy_patient_exactly_200_appointments(seeded):
    counts = set(
        AppointmentBooking.objects.filter(patient_id__in=seeded.heavy_patient_ids)
        .values("patient_id")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert counts == {HEAVY_ROWS}


def test_seed_puts_every_booking_on_a_slot_of_its_doctors_schedule(seeded):
    rows = AppointmentBooking.objects.values_list(
        "appointment_date",
        "appointment_time",
        "doctor_id",
        "schedule__date",
        "schedule__start_time",
        "schedule__end_time",
        "schedule__doctor_id",
    )
    bad = [r for r in rows if r[0] != r[3] or r[2] != r[6] or not is_slot_start(r[4], r[5], r[1])]
    assert rows.exists()
    assert bad == []


def test_seed_copies_the_doctors_fee_into_each_booking(seeded):
    mismatched = AppointmentBooking.objects.exclude(
        fee=F("doctor__doctor_detail__consultation_fee")
    )
    assert not mismatched.exists()


def test_seed_spreads_bookings_over_past_and_future_dates(seeded):
    today = timezone.localdate()
    assert AppointmentBooking.objects.filter(appointment_date__lt=today).exists()
    assert AppointmentBooking.objects.filter(appointment_date__gt=today, status="pending").exists()


def test_seed_leaves_the_bookers_without_bookings(seeded):
    assert not AppointmentBooking.objects.filter(patient_id__in=seeded.booker_ids).exists()


def test_seed_lists_only_free_slots_as_free(seeded):
    sample = seeded.free_slots[:300]
    held = AppointmentBooking.objects.filter(
        ACTIVE_Q, schedule_id__in=[s for _d, s, _day, _t in sample]
    ).values_list("schedule_id", "appointment_time")
    assert sample
    assert not set(held) & {(s, t) for _d, s, _day, t in sample}


def test_seeded_patient_signs_in_with_the_bench_password(seeded, api_client):
    number = seeded.mobile_numbers[seeded.patient_ids[0]]
    response = api_client.post(
        "/api/token/", {"mobile_number": number, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert "access" in response.json()


def test_seed_moves_the_id_sequences_past_the_copied_rows(seeded):
    user = User.objects.create_user("+8801600000001", "Another-Pass-77", full_name="New Person")
    assert user.pk > max(seeded.patient_ids)


def test_seed_gives_some_doctors_weekly_hours_with_a_lunch_break(seeded):
    weekday_intervals = set(
        WorkingHours.objects.values_list("start_time", "end_time").order_by().distinct()
    )
    assert weekday_intervals == {(dt.time(9), dt.time(13)), (dt.time(14), dt.time(17))}


def test_seed_generates_their_schedules_up_to_the_booking_horizon(seeded):
    horizon = clinic.horizon_date(timezone.localdate())
    doctor_id = seeded.weekly_doctor_ids[0]
    dates = DoctorSchedule.objects.filter(doctor_id=doctor_id, source="weekly").values_list(
        "date", flat=True
    )
    assert max(dates) >= horizon - dt.timedelta(days=6)
    assert not DoctorSchedule.objects.filter(doctor_id=doctor_id, source="manual").exists()


def test_seed_lays_no_slot_under_a_time_off(seeded):
    today = timezone.localdate()
    spans = list(TimeOff.objects.all())
    blocked = blocked_intervals(
        doctor_ids={t.doctor_id for t in spans},
        date_from=today,
        date_to=clinic.horizon_date(today),
    )
    schedules = DoctorSchedule.objects.filter(doctor_id__in={t.doctor_id for t in spans})
    under = [
        s
        for s in schedules
        if any(
            slot_is_blocked(t, blocked.get((s.doctor_id, s.date), ()))
            for t in slot_times(s.start_time, s.end_time)
        )
    ]
    assert spans
    assert under == []


def test_seed_names_weekly_doctors_with_bookings_and_time_off_this_week(seeded, api_client):
    today = timezone.localdate()
    week_end = today + dt.timedelta(days=6)
    doctor_id = seeded.weekly_doctor_ids[0]
    assert TimeOff.objects.filter(doctor_id=doctor_id, date_from__lte=week_end).exists()
    response = api_client.get(
        f"/api/doctors/{doctor_id}/slots/",
        {"date_from": today.isoformat(), "date_to": week_end.isoformat(), "page_size": 100},
    )
    availability = {slot["available"] for slot in response.json()["results"]}
    assert availability == {True, False}

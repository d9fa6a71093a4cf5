"""The directory's "has a free slot after then" query (`appointments.selectors.
schedules_with_free_slot`) at its edges: the day's last slot, midnight, and bookings on later
dates counted whatever their time. Exact times, on SQLite and PostgreSQL."""

import datetime as dt

import pytest
from django.utils import timezone

from appointments.models import AppointmentStatus
from appointments.selectors import schedules_with_free_slot
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import DoctorFactory, ScheduleFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2030, 3, 4)


def _after(date: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(date, dt.time(hour, minute)))


def _free_ids(after: dt.datetime) -> set[int]:
    return set(
        schedules_with_free_slot(after=timezone.localtime(after)).values_list("id", flat=True)
    )


def _schedule(date: dt.date, start: tuple[int, int], end: tuple[int, int]):
    return ScheduleFactory(
        doctor=DoctorFactory(), date=date, start_time=dt.time(*start), end_time=dt.time(*end)
    )


def test_a_schedule_whose_one_slot_starts_a_minute_later_has_a_free_slot():
    schedule = _schedule(TODAY, (10, 0), (10, 30))
    assert schedule.pk in _free_ids(_after(TODAY, 9, 59))


def test_a_schedule_whose_one_slot_starts_at_that_minute_has_none():
    schedule = _schedule(TODAY, (10, 0), (10, 30))
    assert schedule.pk not in _free_ids(_after(TODAY, 10, 0))


def test_a_schedule_keeps_a_slot_that_starts_after_then_and_ends_by_its_end():
    # 09:45–10:46: slots 09:45 and 10:15 (ending 10:45); after 09:50 only 10:15 is left.
    schedule = _schedule(TODAY, (9, 45), (10, 46))
    assert schedule.pk in _free_ids(_after(TODAY, 9, 50))
    assert schedule.pk not in _free_ids(_after(TODAY, 10, 15))


def test_near_midnight_only_later_dates_hold_free_slots():
    late = _schedule(TODAY, (23, 0), (23, 59))
    tomorrow = _schedule(TODAY + dt.timedelta(days=1), (0, 0), (0, 30))
    free = _free_ids(_after(TODAY, 23, 40))
    assert late.pk not in free
    assert tomorrow.pk in free


def test_a_later_dates_booking_counts_whatever_its_time_of_day():
    # Its one slot, 08:00, is booked: asked at 20:00 the day before, the booking still counts.
    schedule = _schedule(TODAY + dt.timedelta(days=1), (8, 0), (8, 30))
    AppointmentFactory(
        schedule=schedule, appointment_time=dt.time(8, 0), status=AppointmentStatus.CONFIRMED
    )
    assert schedule.pk not in _free_ids(_after(TODAY, 20, 0))


def test_on_the_day_only_bookings_after_then_count():
    # 08:00–09:00: 08:00 booked (started by 08:10, so not counted), 08:30 free.
    schedule = _schedule(TODAY, (8, 0), (9, 0))
    AppointmentFactory(
        schedule=schedule, appointment_time=dt.time(8, 0), status=AppointmentStatus.CONFIRMED
    )
    assert schedule.pk in _free_ids(_after(TODAY, 8, 10))
    AppointmentFactory(
        schedule=schedule, appointment_time=dt.time(8, 30), status=AppointmentStatus.PENDING
    )
    assert schedule.pk not in _free_ids(_after(TODAY, 8, 10))

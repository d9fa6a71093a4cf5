"""What an open booking transaction makes others wait for (PostgreSQL, real connections).

A booking holds its schedule with a share lock and lets the reports' summary trigger run at
commit (migration 0013), so a second booking — of the same schedule, or a first-time patient's
anywhere — goes through while the first is still open. The second booking runs with a short
`lock_timeout`: a lock held by the first fails it instead of hanging.
"""

import datetime as dt
import threading

from django.db import connection, transaction

from appointments import stats
from appointments.models import AppointmentBooking, DoctorStats, PatientStats, ReportTotals
from appointments.services import appointment_book
from doctors.tests.factories import ScheduleFactory
from healthcare.tests.concurrency import RACE_MARKS
from users.tests.factories import PatientFactory

pytestmark = RACE_MARKS


def _book(patient, schedule, time):
    return appointment_book(
        patient=patient,
        doctor_id=schedule.doctor_id,
        schedule_id=schedule.pk,
        appointment_time=time,
    )


class _OpenBooking:
    """A booking made in another connection whose transaction stays open until `close()`."""

    def __init__(self, patient, schedule, time):
        self.booked = threading.Event()
        self.release = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(patient, schedule, time))
        self.thread.start()
        assert self.booked.wait(10), self.error

    def _run(self, patient, schedule, time):
        try:
            with transaction.atomic():
                _book(patient, schedule, time)
                self.booked.set()
                self.release.wait(10)
        except Exception as exc:  # noqa: BLE001 (reported by the test's assertion)
            self.error = exc
            self.booked.set()
        finally:
            connection.close()

    def close(self):
        self.release.set()
        self.thread.join()
        assert self.error is None, self.error


def _book_without_waiting(patient, schedule, time):
    """Book and commit here, failing (instead of waiting) on a lock held for 2 s."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        return _book(patient, schedule, time)


def test_an_open_booking_does_not_hold_up_another_slot_of_the_same_schedule():
    schedule = ScheduleFactory()
    first = _OpenBooking(PatientFactory(), schedule, dt.time(9, 0))
    try:
        second = _book_without_waiting(PatientFactory(), schedule, dt.time(9, 30))
    finally:
        first.close()
    assert second.pk
    assert AppointmentBooking.objects.filter(schedule=schedule).count() == 2


def test_an_open_booking_does_not_hold_up_a_first_time_patient_of_another_doctor():
    # Both bookings are their patients' first: each adds one to the one-row patient total
    # (a transactional test starts with no row: made here as migrations make it).
    ReportTotals.objects.create(pk=1, patients=0)
    first = _OpenBooking(PatientFactory(), ScheduleFactory(), dt.time(9, 0))
    try:
        _book_without_waiting(PatientFactory(), ScheduleFactory(), dt.time(9, 0))
    finally:
        first.close()
    assert AppointmentBooking.objects.count() == 2
    assert ReportTotals.objects.get(pk=1).patients == 2


def test_summaries_count_bookings_committed_side_by_side():
    schedule = ScheduleFactory()
    first = _OpenBooking(PatientFactory(), schedule, dt.time(9, 0))
    try:
        _book_without_waiting(PatientFactory(), schedule, dt.time(9, 30))
    finally:
        first.close()
    summary = DoctorStats.objects.get(doctor_id=schedule.doctor_id)
    assert (summary.bookings, summary.appointments) == (2, 2)
    assert PatientStats.objects.filter(bookings__gt=0).count() == 2


def test_the_summary_trigger_waits_for_the_commit():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgdeferrable, tginitdeferred FROM pg_trigger WHERE tgname = %s",
            [stats.BOOKINGS_TRIGGER],
        )
        assert cursor.fetchone() == (True, True)


def test_a_transaction_reads_its_own_bookings_in_the_summaries_once_applied():
    schedule = ScheduleFactory()
    with transaction.atomic():
        _book(PatientFactory(), schedule, dt.time(9, 0))
        assert not DoctorStats.objects.filter(doctor_id=schedule.doctor_id).exists()
        stats.apply_now()
        assert DoctorStats.objects.get(doctor_id=schedule.doctor_id).bookings == 1


def test_two_bookings_racing_for_one_slot_of_a_shared_schedule_still_make_one():
    time = dt.time(9, 0)
    schedule = ScheduleFactory()
    first = _OpenBooking(PatientFactory(), schedule, time)
    outcome = {}

    def second():
        try:
            outcome["booking"] = _book(PatientFactory(), schedule, time)
        except Exception as exc:  # noqa: BLE001 (the refusal is the expected outcome)
            outcome["error"] = exc
        finally:
            connection.close()

    # The second waits on the slot's unique index for the first transaction, then loses.
    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.5)
    assert thread.is_alive()
    first.close()
    thread.join(10)
    assert "booking" not in outcome
    assert outcome["error"].code == "slot_taken"
    assert AppointmentBooking.objects.filter(schedule=schedule).count() == 1

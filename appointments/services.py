"""Writes of bookings: the one place the booking, status and cancellation rules live.

The patient API, the admin-panel API and the Django admin all call these services. Lock order is
always doctor → schedule → appointment (as in `doctors.services.schedules_replace`), and the
partial unique constraints of `AppointmentBooking` have the last word on double booking.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from appointments import stats
from appointments.models import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    AppointmentBooking,
    AppointmentStatus,
    CancellationReason,
)
from doctors.availability import day_rules
from doctors.models import DoctorDetail, DoctorSchedule, ScheduleSource
from doctors.public import PUBLIC_DOCTOR, public_doctor_sql
from doctors.slots import is_slot_start
from healthcare import clinic
from healthcare.db import prepared
from healthcare.db.raw import column_converter, literals, table
from healthcare.errors import Refusal
from healthcare.events import emit
from users.models import Role

SLOT_CONSTRAINT = "appointment_unique_active_slot"
DOCTOR_TIME_CONSTRAINT = "appointment_unique_active_doctor_time"
PATIENT_CONSTRAINT = "appointment_unique_active_patient_time"

DOCTOR_UNAVAILABLE = "No bookable doctor with this id."
SCHEDULE_INVALID = "No such schedule for this doctor."
NOT_A_SLOT = "This time is not the start of a 30-minute slot of the schedule."
NOT_OFFERED = "This slot is no longer offered (the doctor's time off, a closure or new hours)."
SLOT_STARTED = "This slot has already started, or starts sooner than the minimum notice."
BEYOND_HORIZON = "This slot lies past the booking horizon."
SLOT_TAKEN = "This slot is already booked."
PATIENT_BUSY = "The patient already holds an active appointment at this date and time."
STATUS_INVALID = "Not a valid status."
PATIENT_INVALID = "No active patient with this id."
SCHEDULE_GONE = "The schedule of this appointment no longer holds its date."
ALREADY_FINAL = "This appointment is already {status}; it can't be changed."
PATIENT_TOO_LATE = "A patient can cancel only before the appointment starts."
PATIENT_PAST_CUTOFF = (
    "A patient can cancel or reschedule only up to {minutes} minutes before the start."
)
INVALID_TRANSITION = "An appointment that is {status} can't be {verb}."
NOT_ITS_DAY = "An appointment can be checked in only on its date."
NOT_STARTED = "An appointment can be {verb} only at or after its start."

STATUS_VALUES = frozenset(s.value for s in AppointmentStatus)


def _slot_start(date: dt.date, time: dt.time) -> dt.datetime:
    """The aware start of a slot: schedule dates and times are clinic wall-clock times."""
    return clinic.slot_starts_at(date, time)


# The schedule, row-locked, with its doctor's name and fee, if the doctor is bookable. Written
# out (healthcare/db/raw.py): the ORM spent about 2 ms building this query, 20 times its run time.
_LOCKED_SCHEDULE_SQL = """SELECT s.id, s.date, s.start_time, s.end_time, s.source, u.full_name,
    d.consultation_fee
FROM {schedule} s
INNER JOIN {user} u ON u.id = s.doctor_id
INNER JOIN {detail} d ON d.doctor_id = s.doctor_id
WHERE s.id = %s AND s.doctor_id = %s AND {bookable}{lock}"""


def _locked_schedule(*, schedule_id: int, doctor_id: int):
    """The schedule (its doctor loaded with the name only) and the doctor's fee, or None."""
    # A share lock: bookings of one schedule run side by side (the partial unique indexes
    # settle two of them racing for one slot), while a change to the schedule itself (an
    # edit, a trim for time off, a regeneration: each locks it FOR UPDATE) waits for them, and
    # they for it.
    features = connection.features
    if features.has_select_for_update_of:
        lock = " FOR SHARE OF s"
    elif features.has_select_for_update:
        lock = " FOR SHARE"
    else:  # SQLite: one writer at a time anyway.
        lock = ""
    bookable, bookable_params = public_doctor_sql("u", "d")
    sql = _LOCKED_SCHEDULE_SQL.format(
        schedule=table(DoctorSchedule),
        user=table(get_user_model()),
        detail=table(DoctorDetail),
        bookable=bookable,
        lock=lock,
    )
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, [schedule_id, doctor_id, *bookable_params])
        row = cursor.fetchone()
    if row is None:
        return None, None
    pk, date, start_time, end_time, source, doctor_name, fee = row
    schedule = DoctorSchedule.from_db(
        connection.alias,
        ["id", "doctor_id", "date", "start_time", "end_time", "source"],
        (pk, doctor_id, date, start_time, end_time, source),
    )
    # Every other field of the doctor is deferred: read only if something asks for it.
    schedule.doctor = get_user_model().from_db(
        connection.alias, ["id", "full_name"], (doctor_id, doctor_name)
    )
    convert = column_converter(DoctorDetail, "consultation_fee")
    return schedule, convert(fee) if convert else fee


def _slot_offered(schedule: DoctorSchedule, time: dt.time) -> bool:
    """Whether the slot is still offered: not under time off or a closure, and (for a generated
    schedule kept for its bookings) within the current weekly hours (doctors/availability.py)."""
    rules = day_rules(
        doctor_id=schedule.doctor_id,
        date_from=schedule.date,
        date_to=schedule.date,
        with_hours=schedule.source == ScheduleSource.WEEKLY,
    ).get(schedule.date)
    return rules is None or rules.slot_open(time, source=schedule.source)


def _id_of(value, model) -> int | None:
    """An id given as an int or as the model instance; None when it is neither."""
    if isinstance(value, model):
        value = value.pk
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _refuse_unbookable_doctor(doctor_id: int | None) -> None:
    """400 on `doctor` unless the id names a bookable doctor (the refusal checked first)."""
    bookable = get_user_model().objects.filter(PUBLIC_DOCTOR, pk=doctor_id)
    if doctor_id is None or not bookable.exists():
        raise Refusal.of("doctor", "doctor_unavailable", DOCTOR_UNAVAILABLE)


# Hand-written (healthcare/db/raw.py): two conflicts at most, over the partial unique indexes of
# the doctor's and the patient's time.
_CONFLICTS_SQL = """SELECT doctor_id FROM {booking}
WHERE status IN ({active}) AND appointment_date = %s AND appointment_time = %s
AND (doctor_id = %s OR patient_id = %s){exclude}
LIMIT 2"""


def _check_slot_and_patient_free(*, doctor_id, patient_id, date, time, exclude_pk=None) -> None:
    """400 if an active booking holds the doctor, or the patient, at that date and time.

    One query over both partial unique indexes; a taken slot is reported first.
    """
    ops = connection.ops
    sql = _CONFLICTS_SQL.format(
        booking=table(AppointmentBooking),
        active=literals(ACTIVE_STATUSES),
        exclude="" if exclude_pk is None else " AND id <> %s",
    )
    params = [
        ops.adapt_datefield_value(date),
        ops.adapt_timefield_value(time),
        doctor_id,
        patient_id,
    ]
    if exclude_pk is not None:
        params.append(exclude_pk)
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        # A conflicting row of this doctor at this time is the slot itself (whoever's it is).
        doctors = [row[0] for row in cursor.fetchall()]
    if doctor_id in doctors:
        raise Refusal.of("appointment_time", "slot_taken", SLOT_TAKEN)
    if doctors:
        raise Refusal.of("appointment_time", "patient_busy", PATIENT_BUSY)


def _violated_constraint(exc: IntegrityError) -> str | None:
    """Which double-booking constraint (patient's, or the slot's) an IntegrityError comes from."""
    # PostgreSQL names the constraint; SQLite names only the columns of the unique index.
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    message = str(exc)
    if name == PATIENT_CONSTRAINT or PATIENT_CONSTRAINT in message or ".patient_id" in message:
        return PATIENT_CONSTRAINT
    slot_names = (SLOT_CONSTRAINT, DOCTOR_TIME_CONSTRAINT)
    if name in slot_names or any(n in message for n in slot_names):
        return SLOT_CONSTRAINT
    if ".schedule_id" in message or ".doctor_id" in message:
        return SLOT_CONSTRAINT
    return None


def _double_booking_error(exc: IntegrityError) -> Refusal | None:
    """The checks' 400 for an IntegrityError from a double-booking constraint, else None."""
    constraint = _violated_constraint(exc)
    if constraint == SLOT_CONSTRAINT:
        return Refusal.of("appointment_time", "slot_taken", SLOT_TAKEN)
    if constraint == PATIENT_CONSTRAINT:
        return Refusal.of("appointment_time", "patient_busy", PATIENT_BUSY)
    return None


def _losing_no_race(call):
    """Run `call`, turning an IntegrityError from a double-booking constraint (a race the
    checks could not see) into the checks' own 400; any other IntegrityError stays an error."""
    try:
        return call()
    except IntegrityError as exc:
        error = _double_booking_error(exc)
        if error is None:
            raise
        raise error from exc


def _save_guarded(save) -> None:
    """Run `save` in a savepoint, turning a lost double-booking race into the checks' 400."""

    def in_savepoint():
        with transaction.atomic():
            save()

    _losing_no_race(in_savepoint)


def appointment_book(
    *,
    patient,
    doctor_id: int,
    schedule_id: int,
    appointment_time: dt.time,
    notes: str = "",
    status: str = AppointmentStatus.PENDING,
    actor=None,
) -> AppointmentBooking:
    """Book `patient` into one free, future slot of a verified, active doctor's schedule.

    Refuses (400, keyed by field) a `patient` who is not an active patient, an unknown,
    unverified or inactive doctor, a schedule that is not the doctor's, a time off the
    schedule's slot grid, a slot starting now or earlier, a taken slot, and a patient already
    holding an active appointment at that date and time. The fee is the doctor's consultation
    fee at booking time. The returned booking carries its patient and doctor (no re-read needed).
    """
    # Race: the same patient booking two different schedules (different locks) at one date and
    # time at once; the partial unique constraint stops the loser, whose transaction (a
    # savepoint when the caller has one open) has rolled back: the checks' same 400. Caught
    # outside the transaction, so the usual path needs no savepoint of its own.
    return _losing_no_race(
        lambda: _book(
            patient=patient,
            doctor_id=doctor_id,
            schedule_id=schedule_id,
            appointment_time=appointment_time,
            notes=notes,
            status=status,
            actor=actor,
        )
    )


@transaction.atomic
def _book(
    *,
    patient,
    doctor_id,
    schedule_id,
    appointment_time,
    notes,
    status,
    actor,
    fee=None,
    rescheduled_from=None,
):
    """The booking itself; a reschedule passes the original's `fee` and itself as
    `rescheduled_from` (and announces the move itself, so no `appointment_booked`)."""
    if not isinstance(status, str) or status not in STATUS_VALUES:
        raise Refusal.of("status", "invalid_choice", STATUS_INVALID)
    if getattr(patient, "role", None) != Role.PATIENT or not patient.is_active:
        raise Refusal.of("patient", "does_not_exist", PATIENT_INVALID)
    doctor_id = _id_of(doctor_id, get_user_model())
    schedule_id = _id_of(schedule_id, DoctorSchedule)
    if doctor_id is None or schedule_id is None:
        _refuse_unbookable_doctor(doctor_id)
        raise Refusal.of("schedule", "schedule_invalid", SCHEDULE_INVALID)
    # The schedule's share lock keeps it as it is (an edit waits for us) until we commit; the
    # "slot taken" check sees every booking committed before it, and one racing us for the
    # slot meets the partial unique index (`_losing_no_race`: the same 400). The bookable
    # doctor's name and fee come along in the same query.
    schedule, doctor_fee = _locked_schedule(schedule_id=schedule_id, doctor_id=doctor_id)
    if schedule is None:
        # Which refusal: the doctor's (checked first, as the contract lists it) or the schedule's.
        _refuse_unbookable_doctor(doctor_id)
        raise Refusal.of("schedule", "schedule_invalid", SCHEDULE_INVALID)
    doctor = schedule.doctor
    if not is_slot_start(schedule.start_time, schedule.end_time, appointment_time):
        raise Refusal.of("appointment_time", "not_a_slot", NOT_A_SLOT)
    # Read under the schedule's lock: time off or a closure written meanwhile is seen here.
    if not _slot_offered(schedule, appointment_time):
        raise Refusal.of("appointment_time", "not_a_slot", NOT_OFFERED)
    # The booking policy: a patient booking for themselves needs the minimum notice; doctors
    # and admins booking for a patient only a future slot. Nobody books past the horizon.
    by_patient = actor is None or actor.pk == patient.pk
    if _slot_start(schedule.date, appointment_time) <= clinic.bookable_after(
        with_notice=by_patient
    ):
        raise Refusal.of("appointment_time", "slot_started", SLOT_STARTED)
    if schedule.date > clinic.horizon_date():
        raise Refusal.of("appointment_time", "beyond_horizon", BEYOND_HORIZON)
    if status in ACTIVE_STATUSES:
        _check_slot_and_patient_free(
            doctor_id=doctor_id,
            patient_id=patient.pk,
            date=schedule.date,
            time=appointment_time,
        )

    booking = AppointmentBooking(
        patient=patient,
        doctor=doctor,
        schedule=schedule,
        appointment_date=schedule.date,
        appointment_time=appointment_time,
        status=status,
        notes=notes or "",
        fee=doctor_fee if fee is None else fee,
        rescheduled_from=rescheduled_from,
    )
    booking.save()
    if rescheduled_from is not None:
        return booking
    emit(
        "appointment_booked",
        actor=actor if actor is not None else patient,
        obj=booking,
        details={
            "doctor_id": doctor.pk,
            "patient_id": patient.pk,
            "schedule_id": schedule.pk,
            "appointment_date": schedule.date.isoformat(),
            "appointment_time": appointment_time.strftime("%H:%M"),
            "status": status,
        },
    )
    return booking


def _lock_appointment(appointment: AppointmentBooking):
    """The appointment and its schedule (None when deleted), both row-locked."""
    # Lock order doctor → schedule → appointment: the schedule first when there is one.
    schedule = None
    if appointment.schedule_id is not None:
        schedule = (
            DoctorSchedule.objects.select_for_update().filter(pk=appointment.schedule_id).first()
        )
    locked = (
        AppointmentBooking.objects.select_for_update(of=("self",))
        .select_related("patient", "doctor")
        .get(pk=appointment.pk)
    )
    return locked, schedule


def _check_slot_still_holds(appointment: AppointmentBooking, schedule) -> None:
    """400 unless the appointment's slot still exists and is free (moving it back to active).

    Its schedule still exists, is on its date and has the time on its grid; nobody else holds
    the doctor at that time and the patient is free. Whether it has started is not asked.
    """
    if schedule is None or schedule.date != appointment.appointment_date:
        raise Refusal.of("schedule", "schedule_invalid", SCHEDULE_GONE)
    if not is_slot_start(schedule.start_time, schedule.end_time, appointment.appointment_time):
        raise Refusal.of("appointment_time", "not_a_slot", NOT_A_SLOT)
    _check_slot_and_patient_free(
        doctor_id=appointment.doctor_id,
        patient_id=appointment.patient_id,
        date=appointment.appointment_date,
        time=appointment.appointment_time,
        exclude_pk=appointment.pk,
    )


CANCELLATION_FIELDS = ("cancellation_reason", "cancelled_by", "cancelled_at", "cancellation_note")


def _refuse_if_final(appointment: AppointmentBooking) -> None:
    """400 `already_final` for a completed, cancelled or no-show appointment: nothing changes it
    (but an admin's PATCH)."""
    if appointment.status in FINAL_STATUSES:
        label = AppointmentStatus(appointment.status).label.lower()
        raise Refusal.of("status", "already_final", ALREADY_FINAL.format(status=label))


def _check_patient_cutoff(appointment: AppointmentBooking) -> None:
    """400 `cutoff_passed` unless the start is more than `CANCEL_CUTOFF_MINUTES` away.

    The one place the patient's cut-off is checked (cancel and reschedule); with 0, v1's rule:
    at or after the start is too late. Doctors and admins are not bound by it.
    """
    minutes = settings.CANCEL_CUTOFF_MINUTES
    start = _slot_start(appointment.appointment_date, appointment.appointment_time)
    if start - clinic.cancel_cutoff() <= timezone.now():
        message = PATIENT_PAST_CUTOFF.format(minutes=minutes) if minutes else PATIENT_TOO_LATE
        raise Refusal.of("appointment_time", "cutoff_passed", message)


def _actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _set_cancelled(appointment: AppointmentBooking, *, reason: str, actor, note=None) -> list:
    """Mark it cancelled with why, by whom and when; the fields to save."""
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancellation_reason = reason
    appointment.cancelled_by = _actor_or_none(actor)
    appointment.cancelled_at = timezone.now()
    appointment.cancellation_note = note or None
    return ["status", *CANCELLATION_FIELDS]


def _clear_cancellation(appointment: AppointmentBooking) -> list:
    """Forget a cancellation (an admin moved it out of `cancelled`); the fields to save."""
    for field in CANCELLATION_FIELDS:
        setattr(appointment, field, None)
    return list(CANCELLATION_FIELDS)


@transaction.atomic
def appointment_update(*, appointment: AppointmentBooking, actor, data: dict) -> AppointmentBooking:
    """Admin edit of an appointment's `status` and `notes` (other keys are ignored).

    Any status at any time; moving into an active status from another one re-checks the slot
    itself (`_check_slot_still_holds`). Setting `cancelled` records reason `admin`; leaving
    `cancelled` clears the cancellation fields.
    """
    if actor is None or not getattr(actor, "is_admin", False):
        raise PermissionDenied
    new_status = data.get("status")
    if "status" in data and (not isinstance(new_status, str) or new_status not in STATUS_VALUES):
        raise Refusal.of("status", "invalid_choice", STATUS_INVALID)
    notes = data.get("notes")
    if "notes" in data and not isinstance(notes, str):
        raise Refusal.of("notes", "invalid", "Not a valid string.")

    locked, schedule = _lock_appointment(appointment)
    old_status = locked.status
    changed = []
    if "status" in data and new_status != old_status:
        if new_status in ACTIVE_STATUSES and old_status not in ACTIVE_STATUSES:
            _check_slot_still_holds(locked, schedule)
        if new_status == AppointmentStatus.CANCELLED:
            changed += _set_cancelled(locked, reason=CancellationReason.ADMIN, actor=actor)
        else:
            locked.status = new_status
            changed.append("status")
            if old_status == AppointmentStatus.CANCELLED:
                changed += _clear_cancellation(locked)
    if "notes" in data and notes != locked.notes:
        locked.notes = notes
        changed.append("notes")
    if changed:
        # Race: another booking took the slot (or the patient's time) between our check and
        # this update (e.g. the patient's booking of another schedule); same 400 as the check.
        _save_guarded(lambda: locked.save(update_fields=[*changed, "updated_at"]))
    if "status" in changed:
        emit(
            "appointment_status_changed",
            actor=actor,
            obj=locked,
            details={"old_status": old_status, "new_status": new_status},
        )
    return locked


@transaction.atomic
def appointment_cancel(
    *, appointment: AppointmentBooking, actor, note: str | None = None
) -> AppointmentBooking:
    """Cancel an active appointment, freeing its slot, with its reason and optional note.

    Its patient may cancel only while the start is more than the cut-off away (reason
    `patient`); its doctor at any time (reason `declined`, as a decline); admins at any time
    (reason `admin`). An appointment already completed, cancelled or no-show can't be cancelled.
    """
    is_admin = getattr(actor, "is_admin", False)
    is_its_patient = actor is not None and actor.pk == appointment.patient_id
    is_its_doctor = actor is not None and actor.pk == appointment.doctor_id
    if not (is_admin or is_its_patient or is_its_doctor):
        raise PermissionDenied
    locked, _ = _lock_appointment(appointment)
    _refuse_if_final(locked)
    if is_admin:
        reason = CancellationReason.ADMIN
    elif is_its_doctor:
        reason = CancellationReason.DECLINED
    else:
        _check_patient_cutoff(locked)
        reason = CancellationReason.PATIENT
    old_status = locked.status
    changed = _set_cancelled(locked, reason=reason, actor=actor, note=note)
    locked.save(update_fields=[*changed, "updated_at"])
    # Events follow the result (contract v1.1): a doctor's cancel is a decline.
    event = (
        "appointment_declined"
        if reason == CancellationReason.DECLINED
        else ("appointment_cancelled")
    )
    emit(
        event,
        actor=actor,
        obj=locked,
        details={"old_status": old_status, "new_status": locked.status, "reason": reason.value},
    )
    return locked


@dataclass(frozen=True)
class Transition:
    """One lifecycle action of a doctor or admin: from which statuses, to which, and when."""

    sources: tuple
    target: str
    event: str
    verb: str
    # None: any time; "on_date": on the appointment's local date; "started": at or after start.
    when: str | None = None


P, C, CI = AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED, AppointmentStatus.CHECKED_IN
TRANSITIONS = {
    "confirm": Transition((P,), C, "appointment_confirmed", "confirmed"),
    "decline": Transition((P, C), AppointmentStatus.CANCELLED, "appointment_declined", "declined"),
    "check_in": Transition((P, C), CI, "appointment_checked_in", "checked in", "on_date"),
    "complete": Transition(
        (P, C, CI), AppointmentStatus.COMPLETED, "appointment_completed", "completed", "started"
    ),
    "no_show": Transition(
        (P, C), AppointmentStatus.NO_SHOW, "appointment_no_show", "marked no-show", "started"
    ),
}


def _check_when(transition: Transition, appointment: AppointmentBooking) -> None:
    if transition.when == "on_date" and timezone.localdate() != appointment.appointment_date:
        raise Refusal.of("status", "invalid_transition", NOT_ITS_DAY)
    if transition.when == "started" and (
        _slot_start(appointment.appointment_date, appointment.appointment_time) > timezone.now()
    ):
        raise Refusal.of("status", "invalid_transition", NOT_STARTED.format(verb=transition.verb))


@transaction.atomic
def appointment_transition(
    *, appointment: AppointmentBooking, actor, action: str, note: str | None = None
) -> AppointmentBooking:
    """A lifecycle action of its doctor or an admin: confirm, decline, check in, complete, no-show.

    `TRANSITIONS` says from which statuses each goes and when (check-in on the appointment's
    date; complete and no-show at or after its start). A final appointment → `already_final`;
    any other status or time → `invalid_transition`; anyone but its doctor or an admin → 403.
    A decline cancels it with reason `declined` (and the optional `note`).
    """
    transition = TRANSITIONS[action]
    is_admin = getattr(actor, "is_admin", False)
    if not (is_admin or (actor is not None and actor.pk == appointment.doctor_id)):
        raise PermissionDenied
    locked, _ = _lock_appointment(appointment)
    _refuse_if_final(locked)
    if locked.status not in transition.sources:
        label = AppointmentStatus(locked.status).label.lower()
        raise Refusal.of(
            "status",
            "invalid_transition",
            INVALID_TRANSITION.format(status=label, verb=transition.verb),
        )
    _check_when(transition, locked)
    old_status = locked.status
    if transition.target == AppointmentStatus.CANCELLED:
        changed = _set_cancelled(locked, reason=CancellationReason.DECLINED, actor=actor, note=note)
    else:
        locked.status = transition.target
        changed = ["status"]
    locked.save(update_fields=[*changed, "updated_at"])
    details = {"old_status": old_status, "new_status": locked.status}
    if locked.cancellation_reason:
        details["reason"] = locked.cancellation_reason
    emit(transition.event, actor=actor, obj=locked, details=details)
    return locked


RESCHEDULABLE = (AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED)


def appointment_reschedule(
    *, appointment: AppointmentBooking, actor, schedule_id: int, appointment_time: dt.time
) -> AppointmentBooking:
    """Move a pending or confirmed appointment to another slot of the same doctor, atomically.

    A new appointment is booked under every booking rule and code (`_book`), with the original's
    fee, notes and patient; `pending` when its patient reschedules (within the cut-off), else
    the old status. The old one is cancelled with reason `rescheduled`; the two point at each
    other. A checked-in one → `invalid_transition`; a final one → `already_final`; anyone but
    its patient, its doctor or an admin → 403. On any refusal nothing changes.
    """
    # Race: as in `appointment_book` (the patient's own time taken through another schedule at
    # once); the whole reschedule has rolled back: the checks' same 400.
    return _losing_no_race(
        lambda: _reschedule(
            appointment=appointment,
            actor=actor,
            schedule_id=schedule_id,
            appointment_time=appointment_time,
        )
    )


@transaction.atomic
def _reschedule(*, appointment, actor, schedule_id, appointment_time):
    is_admin = getattr(actor, "is_admin", False)
    is_its_patient = actor is not None and actor.pk == appointment.patient_id
    is_its_doctor = actor is not None and actor.pk == appointment.doctor_id
    if not (is_admin or is_its_patient or is_its_doctor):
        raise PermissionDenied
    # Lock order: both schedules in id order, then the appointment. Two reschedules crossing
    # between the same two schedules (A: S1 → S2, B: S2 → S1) would otherwise each hold one
    # schedule and wait for the other: a deadlock, not a 400.
    new_schedule_id = _id_of(schedule_id, DoctorSchedule)
    ids = {pk for pk in (appointment.schedule_id, new_schedule_id) if pk is not None}
    list(DoctorSchedule.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    old = (
        AppointmentBooking.objects.select_for_update(of=("self",))
        .select_related("patient", "doctor")
        .get(pk=appointment.pk)
    )
    _refuse_if_final(old)
    if old.status not in RESCHEDULABLE:
        label = AppointmentStatus(old.status).label.lower()
        raise Refusal.of(
            "status",
            "invalid_transition",
            INVALID_TRANSITION.format(status=label, verb="rescheduled"),
        )
    patient_moves_it = is_its_patient and not (is_admin or is_its_doctor)
    if patient_moves_it:
        _check_patient_cutoff(old)
    old_status = old.status
    # The old slot is freed first, inside this transaction: the new booking's checks then see
    # the world as it will be (the patient is not busy with the appointment being moved).
    changed = _set_cancelled(old, reason=CancellationReason.RESCHEDULED, actor=actor)
    old.save(update_fields=[*changed, "updated_at"])
    new = _book(
        patient=old.patient,
        doctor_id=old.doctor_id,
        schedule_id=schedule_id,
        appointment_time=appointment_time,
        notes=old.notes,
        status=AppointmentStatus.PENDING if patient_moves_it else old_status,
        actor=actor,
        fee=old.fee,
        rescheduled_from=old,
    )
    old.rescheduled_to = new
    old.save(update_fields=["rescheduled_to", "updated_at"])
    emit(
        "appointment_rescheduled",
        actor=actor,
        obj=new,
        details={
            "rescheduled_from": old.pk,
            "old_date": old.appointment_date.isoformat(),
            "old_time": old.appointment_time.strftime("%H:%M"),
            "new_date": new.appointment_date.isoformat(),
            "new_time": new.appointment_time.strftime("%H:%M"),
            "status": new.status,
        },
    )
    return new


@transaction.atomic
def report_stats_rebuild() -> None:
    """Recompute the reports' summaries from the bookings (PostgreSQL; nothing to do elsewhere).

    The trigger keeps them exact on every write; this is for loads that bypass it (a restore
    with triggers off, the benchmark's COPY). Bookings are locked against writes meanwhile.
    """
    if not stats.kept():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table(AppointmentBooking)} IN SHARE MODE")
        stats.rebuild(cursor)


def appointments_cancel_unavailable(*, appointment_ids, actor) -> list[int]:
    """Cancel these active appointments because their doctor is away (time off, a closure):
    reason `doctor_unavailable`, `cancelled_by` the caller; one `appointment_cancelled` each
    (the patients are notified through it). Runs in the caller's transaction, which holds the
    doctor and schedule locks (lock order doctor → schedule → appointment). Returns the ids.
    """
    locked = list(
        AppointmentBooking.objects.select_for_update(of=("self",))
        .filter(pk__in=list(appointment_ids), status__in=ACTIVE_STATUSES)
        .select_related("patient", "doctor")
        .order_by("pk")
    )
    for appointment in locked:
        old_status = appointment.status
        changed = _set_cancelled(
            appointment, reason=CancellationReason.DOCTOR_UNAVAILABLE, actor=actor
        )
        appointment.save(update_fields=[*changed, "updated_at"])
        emit(
            "appointment_cancelled",
            actor=_actor_or_none(actor),
            obj=appointment,
            details={
                "old_status": old_status,
                "new_status": appointment.status,
                "reason": CancellationReason.DOCTOR_UNAVAILABLE.value,
            },
        )
    return [appointment.pk for appointment in locked]

"""Writes of doctors' details and schedules; every schedule rule of the contract lives here."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments.selectors import active_booking_times_by_schedule
from doctors.generation import schedules_generate
from doctors.models import DoctorDetail, DoctorSchedule, ScheduleSource, WorkingHours
from doctors.slots import has_room_for_a_slot, is_slot_start
from healthcare import clinic
from healthcare.api.dates import DATE_MAX, DATE_OUT_OF_RANGE
from healthcare.errors import NON_FIELD, Message, Refusal
from healthcare.events import emit

MAX_SCHEDULES = 366
# Generated schedules sent back unchanged don't count toward the 366; a request may carry them
# beside its manual ones, up to this many items in all.
MAX_SCHEDULE_ITEMS = 4 * MAX_SCHEDULES

DETAIL_FIELDS = (
    "license_number",
    "specialization",
    "experience_years",
    "consultation_fee",
    "location",
    "bio",
)

LICENSE_TAKEN = "A doctor with this license number already exists."


def doctor_detail_create(*, doctor, is_verified: bool = False, **fields) -> DoctorDetail:
    """Create the details row of a doctor user (blank for a self-registered doctor)."""
    _check_license_free(doctor=doctor, license_number=fields.get("license_number"))
    try:
        with transaction.atomic():
            return DoctorDetail.objects.create(doctor=doctor, is_verified=is_verified, **fields)
    except IntegrityError as exc:
        # Race: another doctor took the same license number between the check and the insert.
        raise Refusal.of("license_number", "unique", LICENSE_TAKEN) from exc


@transaction.atomic
def doctor_detail_update(*, doctor, data: dict, allow_verify: bool = False) -> DoctorDetail:
    """Update the given fields of a doctor's details; `is_verified` only when `allow_verify`."""
    detail, _ = DoctorDetail.objects.select_for_update().get_or_create(doctor=doctor)
    if "license_number" in data:
        data = {**data, "license_number": data["license_number"] or None}
        _check_license_free(doctor=doctor, license_number=data["license_number"])
    changed = []
    for field in DETAIL_FIELDS + (("is_verified",) if allow_verify else ()):
        if field in data and getattr(detail, field) != data[field]:
            setattr(detail, field, data[field])
            changed.append(field)
    if changed:
        try:
            with transaction.atomic():
                detail.save(update_fields=changed)
        except IntegrityError as exc:
            # Race: the license number was taken by another doctor after our check.
            raise Refusal.of("license_number", "unique", LICENSE_TAKEN) from exc
    return detail


def _check_license_free(*, doctor, license_number) -> None:
    if not license_number:
        return
    taken = DoctorDetail.objects.filter(license_number=license_number).exclude(doctor=doctor)
    if taken.exists():
        raise Refusal.of("license_number", "unique", LICENSE_TAKEN)


def _item_errors(item: dict, today: dt.date) -> dict:
    errors: dict[str, list[Message]] = {}
    date, start, end = item["date"], item["start_time"], item["end_time"]
    if date < today:
        errors.setdefault("date", []).append(
            Message("A schedule can't be dated in the past.", "date_in_past")
        )
    elif date > DATE_MAX:
        # The API's date field refuses these already; the Django admin's inline comes here too.
        errors.setdefault("date", []).append(Message(DATE_OUT_OF_RANGE, "date_out_of_range"))
    for field in ("start_time", "end_time"):
        if item[field].second or item[field].microsecond:
            errors.setdefault(field, []).append(
                Message("Times must be whole minutes (HH:MM).", "invalid")
            )
    if end <= start:
        errors.setdefault("end_time", []).append(
            Message("end_time must be after start_time.", "invalid")
        )
    elif not has_room_for_a_slot(start, end):
        errors.setdefault("end_time", []).append(
            Message("A schedule must leave room for at least one 30-minute slot.", "too_short")
        )
    return errors


def _check_horizon(item: dict, errors: dict, horizon: dt.date) -> None:
    """A schedule created or moved by a request must be dated by the booking horizon."""
    if item["date"] > horizon:
        errors.setdefault("date", []).append(
            Message(
                f"Schedules can't be dated after {horizon} (the booking horizon).", "beyond_horizon"
            )
        )


@transaction.atomic
def schedules_replace(*, doctor, items: list[dict]) -> list[DoctorSchedule]:
    """Make `items` the doctor's full list of upcoming schedules, all or nothing.

    An item with `id` updates that upcoming schedule, one without creates a schedule, and an
    upcoming manual schedule left out is deleted. Past schedules are never touched. A schedule
    holding active bookings can't be deleted, nor changed so that a booked slot stops being its
    slot. Generated (`weekly`) schedules are not part of the list: left out they stay, sent back
    unchanged they are accepted (and not counted), changed they become manual. A date with a
    manual schedule drops its unbooked generated ones (a booked one it overlaps → 400), and the
    dates manual schedules leave are regenerated, in the same transaction.
    """
    # Generated ones sent back don't count, but that needs the rows: a first cap on the raw list.
    if len(items) > MAX_SCHEDULE_ITEMS:
        raise Refusal.of("schedules", "max_length", f"At most {MAX_SCHEDULES} schedules at once.")
    # Lock order doctor → schedule → appointment (bookings lock the schedule row): two
    # concurrent replaces for one doctor queue here instead of interleaving their checks.
    # NO KEY: a concurrent booking's insert takes FOR KEY SHARE on the doctor row while it holds
    # a schedule row we want; FOR UPDATE would deadlock with it.
    get_user_model().objects.select_for_update(no_key=True).filter(pk=doctor.pk).first()
    today = timezone.localdate()
    existing = {
        s.pk: s
        for s in DoctorSchedule.objects.select_for_update().filter(doctor=doctor, date__gte=today)
    }
    booked = active_booking_times_by_schedule(schedule_ids=existing.keys())
    # Generated schedules sent back as they are: accepted, left alone, not counted.
    unchanged_generated = {
        index
        for index, item in enumerate(items)
        if (schedule := existing.get(item.get("id"))) is not None
        and schedule.source == ScheduleSource.WEEKLY
        and (schedule.date, schedule.start_time, schedule.end_time)
        == (item["date"], item["start_time"], item["end_time"])
    }
    if len(items) - len(unchanged_generated) > MAX_SCHEDULES:
        raise Refusal.of("schedules", "max_length", f"At most {MAX_SCHEDULES} schedules at once.")

    errors: list[dict] = [_item_errors(item, today) for item in items]
    horizon = clinic.horizon_date(today)
    seen_ids: set[int] = set()
    for index, item in enumerate(items):
        schedule_id = item.get("id")
        if index in unchanged_generated:
            seen_ids.add(schedule_id)
            continue
        if schedule_id is None:
            if not errors[index]:
                _check_horizon(item, errors[index], horizon)
            continue
        if schedule_id not in existing:
            errors[index].setdefault("id", []).append(
                Message("Not one of your upcoming schedules.", "does_not_exist")
            )
        elif schedule_id in seen_ids:
            errors[index].setdefault("id", []).append(
                Message("This schedule is listed twice.", "duplicate")
            )
        seen_ids.add(schedule_id)
        if errors[index] or schedule_id not in existing:
            continue
        if existing[schedule_id].date != item["date"]:
            _check_horizon(item, errors[index], horizon)
        for date, time in booked.get(schedule_id, ()):
            if date != item["date"] or not is_slot_start(
                item["start_time"], item["end_time"], time
            ):
                errors[index].setdefault(NON_FIELD, []).append(
                    Message(
                        f"The slot {date} {time:%H:%M} is booked; the schedule must keep it.",
                        "schedule_booked",
                    )
                )
                break

    valid = [
        (i, it) for i, it in enumerate(items) if not errors[i] and i not in unchanged_generated
    ]
    by_date: dict[dt.date, list[tuple[int, dict]]] = {}
    for index, item in valid:
        by_date.setdefault(item["date"], []).append((index, item))
    for day_items in by_date.values():
        day_items.sort(key=lambda pair: (pair[1]["start_time"], pair[1]["end_time"]))
        # Compare each schedule with the one reaching furthest so far, not only its neighbour:
        # 09–17 overlaps 12–13 even with 10–11 sorted between them.
        reaching = day_items[0][1]
        for index, item in day_items[1:]:
            if item["start_time"] < reaching["end_time"]:
                errors[index].setdefault(NON_FIELD, []).append(
                    Message(
                        f"Overlaps another schedule on {item['date']} "
                        f"({reaching['start_time']:%H:%M}–{reaching['end_time']:%H:%M}).",
                        "overlap",
                    )
                )
            if item["end_time"] > reaching["end_time"]:
                reaching = item

    # A manual schedule replaces its date's generated ones, except those holding bookings: it
    # may not overlap one of them.
    manual_ids = {it.get("id") for _, it in valid}
    booked_generated: dict[dt.date, list[DoctorSchedule]] = {}
    for pk, schedule in existing.items():
        if schedule.source == ScheduleSource.WEEKLY and booked.get(pk) and pk not in manual_ids:
            booked_generated.setdefault(schedule.date, []).append(schedule)
    for index, item in valid:
        for schedule in booked_generated.get(item["date"], ()):
            if item["start_time"] < schedule.end_time and schedule.start_time < item["end_time"]:
                errors[index].setdefault(NON_FIELD, []).append(
                    Message(
                        f"Overlaps the generated schedule {schedule} holding active bookings.",
                        "overlap",
                    )
                )

    removed = [
        pk
        for pk, schedule in existing.items()
        if pk not in seen_ids and schedule.source == ScheduleSource.MANUAL
    ]
    removed_booked = [pk for pk in removed if booked.get(pk)]
    if any(errors) or removed_booked:
        # DRF's list error shape (LIST_SERIALIZER_ERRORS_AS_DICT): failing items by index, and
        # errors about the list as a whole under non_field_errors.
        detail: dict = {
            index: item_errors for index, item_errors in enumerate(errors) if item_errors
        }
        if removed_booked:
            detail[NON_FIELD] = [
                Message(
                    f"Schedule {pk} ({existing[pk]}) holds active bookings and can't be deleted.",
                    "schedule_booked",
                )
                for pk in removed_booked
            ]
        raise Refusal({"schedules": detail})

    DoctorSchedule.objects.filter(pk__in=removed).delete()
    to_update, to_create = [], []
    for index, item in enumerate(items):
        if index in unchanged_generated:
            continue
        if item.get("id") is not None:
            schedule = existing[item["id"]]
            schedule.date = item["date"]
            schedule.start_time = item["start_time"]
            schedule.end_time = item["end_time"]
            schedule.source = ScheduleSource.MANUAL
            to_update.append(schedule)
        else:
            to_create.append(
                DoctorSchedule(
                    doctor=doctor,
                    date=item["date"],
                    start_time=item["start_time"],
                    end_time=item["end_time"],
                )
            )
    if to_update:
        DoctorSchedule.objects.bulk_update(to_update, ["date", "start_time", "end_time", "source"])
    DoctorSchedule.objects.bulk_create(to_create)
    # Manual dates drop their unbooked generated schedules; dates manual ones left get theirs.
    schedules_generate(doctor_ids=[doctor.pk], today=today)
    return sorted(to_update + to_create, key=lambda s: (s.date, s.start_time, s.pk or 0))


MAX_WORKING_HOURS = 48


def _hours_item_errors(item: dict) -> dict:
    errors: dict[str, list[Message]] = {}
    for field in ("start_time", "end_time"):
        if item[field].second or item[field].microsecond:
            errors.setdefault(field, []).append(
                Message("Times must be whole minutes (HH:MM).", "invalid")
            )
    if item["end_time"] <= item["start_time"]:
        errors.setdefault("end_time", []).append(
            Message("end_time must be after start_time.", "invalid")
        )
    elif not has_room_for_a_slot(item["start_time"], item["end_time"]):
        errors.setdefault("end_time", []).append(
            Message("An interval must leave room for at least one 30-minute slot.", "too_short")
        )
    return errors


@transaction.atomic
def working_hours_replace(*, doctor, items: list[dict], actor=None) -> list[WorkingHours]:
    """Make `items` the doctor's weekly working hours and regenerate their schedules, all or
    nothing.

    Each `{weekday, start_time, end_time}` holds at least one slot; no two overlap on a weekday;
    at most 48. Generated schedules follow in the same transaction (doctors/generation.py).
    """
    if len(items) > MAX_WORKING_HOURS:
        raise Refusal.of(None, "max_length", f"At most {MAX_WORKING_HOURS} intervals.")
    errors = [_hours_item_errors(item) for item in items]
    overlaps: list[Message] = []
    by_weekday: dict[int, list[dict]] = {}
    for index, item in enumerate(items):
        if not errors[index]:
            by_weekday.setdefault(item["weekday"], []).append(item)
    for weekday_items in by_weekday.values():
        weekday_items.sort(key=lambda it: (it["start_time"], it["end_time"]))
        reaching = weekday_items[0]
        for item in weekday_items[1:]:
            if item["start_time"] < reaching["end_time"]:
                overlaps.append(
                    Message(
                        f"Weekday {item['weekday']}: {item['start_time']:%H:%M}–"
                        f"{item['end_time']:%H:%M} overlaps {reaching['start_time']:%H:%M}–"
                        f"{reaching['end_time']:%H:%M}.",
                        "hours_overlap",
                    )
                )
            if item["end_time"] > reaching["end_time"]:
                reaching = item
    if any(errors) or overlaps:
        # A JSON-array body: items' errors keyed by index, cross-item ones under non_field_errors.
        detail: dict = {str(i): item_errors for i, item_errors in enumerate(errors) if item_errors}
        if overlaps:
            detail[NON_FIELD] = overlaps
        raise Refusal(detail)

    # Lock order doctor → schedule → appointment, as in `schedules_replace` (NO KEY: see there).
    get_user_model().objects.select_for_update(no_key=True).filter(pk=doctor.pk).first()
    WorkingHours.objects.filter(doctor=doctor).delete()
    hours = WorkingHours.objects.bulk_create(
        [
            WorkingHours(
                doctor=doctor,
                weekday=item["weekday"],
                start_time=item["start_time"],
                end_time=item["end_time"],
            )
            for item in sorted(items, key=lambda it: (it["weekday"], it["start_time"]))
        ]
    )
    result = schedules_generate(doctor_ids=[doctor.pk])
    emit(
        "working_hours_updated",
        actor=actor,
        obj=doctor,
        object_type="user",
        details={"intervals": len(hours), **result},
    )
    return hours

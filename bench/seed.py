"""Seeds a large, realistic data set into the benchmark's own PostgreSQL database with COPY.

Default size (``--scale 1``): 2,000 doctors over 20 specializations and 30 cities, 60 days of
schedules (30 past, 30 ahead), 50,000 patients and 500,000 appointments over past and future dates.
The rows keep every rule the models and services keep: bookings sit on the schedule's 30-minute
grid, no slot holds two bookings and no patient holds two at one date and time (cancelled ones
included, which is stricter than the partial unique constraints), and each booking's fee is the
doctor's fee. One password is hashed once and its hash reused for every account.

Run on its own: ``DATABASE_URL=postgresql://…/healthcare_bench python -m bench.seed --scale 0.01``
(``bench/run.py`` does this for you on a database it creates).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal

PASSWORD = "Bench-Pass-2026"  # noqa: S105 — a throwaway password for a throwaway database

SPECIALIZATIONS = [
    "Cardiology",
    "Dermatology",
    "Neurology",
    "Pediatrics",
    "Orthopedics",
    "Gynecology",
    "Psychiatry",
    "Ophthalmology",
    "ENT",
    "Gastroenterology",
    "Endocrinology",
    "Nephrology",
    "Pulmonology",
    "Oncology",
    "Urology",
    "Rheumatology",
    "Hematology",
    "General Surgery",
    "Internal Medicine",
    "Dentistry",
]
CITIES = [
    "Dhaka",
    "Chattogram",
    "Khulna",
    "Rajshahi",
    "Sylhet",
    "Barishal",
    "Rangpur",
    "Mymensingh",
    "Cumilla",
    "Narayanganj",
    "Gazipur",
    "Bogura",
    "Jessore",
    "Cox's Bazar",
    "Dinajpur",
    "Tangail",
    "Pabna",
    "Kushtia",
    "Noakhali",
    "Feni",
    "Brahmanbaria",
    "Faridpur",
    "Jamalpur",
    "Sirajganj",
    "Chandpur",
    "Naogaon",
    "Satkhira",
    "Habiganj",
    "Moulvibazar",
    "Narsingdi",
]
AREAS = ["Dhanmondi", "Gulshan", "Mirpur", "Uttara", "Banani", "Mohammadpur", "Motijheel", "Badda"]
FIRST = [
    "Abdul",
    "Ayesha",
    "Farhana",
    "Habib",
    "Imran",
    "Jannat",
    "Kamal",
    "Laila",
    "Mahmud",
    "Nasrin",
    "Omar",
    "Parvin",
    "Rafiq",
    "Sadia",
    "Tanvir",
    "Umme",
    "Yasmin",
    "Zahid",
    "Shirin",
    "Arif",
]
LAST = [
    "Ahmed",
    "Rahman",
    "Hossain",
    "Islam",
    "Chowdhury",
    "Khan",
    "Begum",
    "Akter",
    "Siddique",
    "Karim",
    "Haque",
    "Uddin",
    "Sarkar",
    "Mia",
    "Das",
    "Roy",
    "Talukder",
    "Bhuiyan",
    "Sheikh",
    "Molla",
]
# Working patterns: (start, end) blocks per working day; each block holds 30-minute slots.
PATTERNS = [
    [(dt.time(9, 0), dt.time(13, 0))],
    [(dt.time(14, 0), dt.time(18, 0))],
    [(dt.time(9, 0), dt.time(12, 0)), (dt.time(17, 0), dt.time(20, 0))],
]
DAYS_PAST = 30
DAYS_AHEAD = 30
HEAVY_ROWS = 200


@dataclass
class SeedResult:
    """What the runner needs to drive the scenarios against the seeded data."""

    scale: float
    counts: dict[str, int] = field(default_factory=dict)
    admin_id: int = 0
    doctor_ids: list[int] = field(default_factory=list)  # verified, active
    heavy_patient_ids: list[int] = field(default_factory=list)  # exactly HEAVY_ROWS bookings each
    booker_ids: list[int] = field(default_factory=list)  # no bookings at all
    patient_ids: list[int] = field(default_factory=list)  # a sample of ordinary patients
    mobile_numbers: dict[int, str] = field(default_factory=dict)
    # Free future slots of verified, active doctors: (doctor, schedule, date, time), shuffled.
    free_slots: list[tuple[int, int, dt.date, dt.time]] = field(default_factory=list)
    # Future slots held by an active booking: (doctor, schedule, date, time).
    taken_slots: list[tuple[int, int, dt.date, dt.time]] = field(default_factory=list)
    filter_specialization: str = SPECIALIZATIONS[0]
    filter_location: str = "dhaka"
    seconds: float = 0.0


class Progress:
    """A progress bar on stderr; plain lines every 10% when stderr is not a terminal (CI)."""

    def __init__(self, label: str, total: int, out=sys.stderr):
        self.label, self.total, self.done, self.out = label, max(total, 1), 0, out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.started = time.monotonic()
        self.last_decile = -1

    def update(self, n: int) -> None:
        self.done += n
        frac = min(self.done / self.total, 1.0)
        if self.tty:
            bar = "#" * int(frac * 30)
            self.out.write(f"\r  {self.label:<14} [{bar:<30}] {self.done:>9,}/{self.total:,}")
            self.out.flush()
        elif int(frac * 10) != self.last_decile:
            self.last_decile = int(frac * 10)
            self.out.write(f"  {self.label:<14} {frac:4.0%} {self.done:>9,}/{self.total:,}\n")

    def close(self) -> None:
        elapsed = time.monotonic() - self.started
        if self.tty:
            self.out.write(f"  {elapsed:5.1f}s\n")
        else:
            self.out.write(f"  {self.label:<14} done in {elapsed:.1f}s\n")
        self.out.flush()


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(model, field_names: list[str], rows, total: int, label: str, batch=50_000) -> None:
    """COPY rows (tuples in `field_names` order) into the model's table, in batches.

    Columns the seed doesn't name (added to a model later) get the field's default, so the seed
    keeps working when another app grows a column with a default.
    """
    from django.db import connection

    opts = model._meta
    named = [opts.get_field(name) for name in field_names]
    extra = [f for f in opts.concrete_fields if f not in named]
    extra_values = []
    for f in extra:
        if not f.has_default() and not f.null:
            raise RuntimeError(f"bench seed: {opts.label}.{f.name} has no default; seed it")
        extra_values.append(_copy_value(f.get_default() if f.has_default() else None))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in named + extra)
    sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
    suffix = ("\t" + "\t".join(extra_values)) if extra_values else ""
    progress = Progress(label, total)
    buf, n = io.StringIO(), 0
    with connection.cursor() as cursor:
        for row in rows:
            buf.write("\t".join(_copy_value(v) for v in row) + suffix + "\n")
            n += 1
            if n == batch:
                buf.seek(0)
                cursor.copy_expert(sql, buf)
                progress.update(n)
                buf, n = io.StringIO(), 0
        if n:
            buf.seek(0)
            cursor.copy_expert(sql, buf)
            progress.update(n)
    progress.close()


def _without_secondary_indexes(model):
    """Drop the table's plain and partial indexes (not the primary key or constraint-backed
    ones) and return their definitions, to rebuild them in one sorted pass after the load: ten
    times faster here than maintaining them row by row. Rebuilding a unique index checks every
    row, so the partial unique constraints still hold for the seeded data.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass
              AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """,
            [model._meta.db_table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [definition for _name, definition in indexes]


def _rebuild_indexes(definitions: list[str]) -> None:
    from django.db import connection

    progress = Progress("indexes", len(definitions))
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
            progress.update(1)
        cursor.execute("RESET maintenance_work_mem")
    progress.close()


def _slot_times(start: dt.time, end: dt.time) -> list[dt.time]:
    from doctors.slots import slot_times

    return slot_times(start, end)


def seed(*, scale: float = 1.0, rng_seed: int = 42, out=sys.stderr) -> SeedResult:  # noqa: C901
    """Fill an empty, migrated database; returns what the scenarios need."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from appointments import stats
    from appointments.models import (
        AppointmentBooking,
        DoctorDayStats,
        PatientStats,
    )
    from doctors.models import DoctorDetail, DoctorSchedule
    from doctors.services import DETAIL_FIELDS
    from users.models import User

    started = time.monotonic()
    rng = random.Random(rng_seed)  # noqa: S311 — reproducible fake data, not secrets
    n_doctors = max(20, round(2000 * scale))
    n_patients = max(500, round(50_000 * scale))
    n_appointments = max(5_000, round(500_000 * scale))
    n_heavy = max(2, min(16, n_appointments // 20_000))
    n_bookers = max(50, min(1000, n_patients // 50))
    result = SeedResult(scale=scale)

    today = timezone.localdate()
    now = timezone.now()
    tz = timezone.get_current_timezone()
    password_hash = make_password(PASSWORD)  # once: hashing is deliberately slow

    # Foreign keys are checked by triggers, one lookup per key per row; the seed makes every
    # key point at a row it wrote first, so it skips them (replica mode) for the bulk load. Unique,
    # partial-unique and check constraints are not triggers and still hold every row.
    # (Reset after the last COPY; a failed seed ends the run and its session with it.)
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")

    # --- users -----------------------------------------------------------------------------
    admin_id = 1
    doctor_ids = list(range(2, 2 + n_doctors))
    patient_ids = list(range(2 + n_doctors, 2 + n_doctors + n_patients))
    result.admin_id = admin_id
    heavy = patient_ids[:n_heavy]
    bookers = patient_ids[n_heavy : n_heavy + n_bookers]
    regular = patient_ids[n_heavy + n_bookers :]
    result.heavy_patient_ids, result.booker_ids = heavy, bookers
    result.patient_ids = regular[:500]

    def mobile(uid: int) -> str:
        if uid == admin_id:
            return "+8801900000001"
        prefix = "+88017" if uid < patient_ids[0] else "+88018"
        return f"{prefix}{uid:08d}"

    def name(uid: int) -> str:
        return f"{FIRST[uid % 20]} {LAST[(uid // 20) % 20]} {uid}"

    doctor_active = {d: (i % 97 != 96) for i, d in enumerate(doctor_ids)}

    def user_rows():
        joined = now - dt.timedelta(days=400)
        yield (
            admin_id,
            password_hash,
            None,
            True,
            mobile(admin_id),
            "Bench Admin",
            "",
            "admin",
            True,
            joined,
        )
        for d in doctor_ids:
            yield (
                d,
                password_hash,
                None,
                False,
                mobile(d),
                "Dr. " + name(d),
                f"doctor{d}@example.com",
                "doctor",
                doctor_active[d],
                joined,
            )
        for p in patient_ids:
            yield (
                p,
                password_hash,
                None,
                False,
                mobile(p),
                name(p),
                f"patient{p}@example.com" if p % 3 else "",
                "patient",
                True,
                joined + dt.timedelta(minutes=p % 10_000),
            )

    user_fields = [
        "id",
        "password",
        "last_login",
        "is_superuser",
        "mobile_number",
        "full_name",
        "email",
        "role",
        "is_active",
        "date_joined",
    ]
    copy_rows(User, user_fields, user_rows(), 1 + n_doctors + n_patients, "users")
    result.mobile_numbers = {
        uid: mobile(uid) for uid in [admin_id, *heavy, *bookers, *regular[:500]]
    }

    # --- doctor details --------------------------------------------------------------------
    fees: dict[int, Decimal] = {}
    verified: dict[int, bool] = {}

    def city_of(i: int) -> str:
        # Skewed like real clinics: the capital holds ~30% of doctors, the port city ~15%.
        block = i // len(SPECIALIZATIONS)
        j = block % 20
        if j < 6:
            return f"{AREAS[block % len(AREAS)]}, Dhaka"
        if j < 9:
            return "Chattogram"
        return CITIES[2 + (block + i) % (len(CITIES) - 2)]

    def detail_rows():
        for i, d in enumerate(doctor_ids):
            is_verified = i % 40 != 39
            verified[d] = is_verified
            fees[d] = Decimal(300 + 50 * (i % 35)).quantize(Decimal("0.01"))
            yield (
                d,
                f"BMDC-{d:07d}" if is_verified else None,
                SPECIALIZATIONS[i % len(SPECIALIZATIONS)],
                1 + (i * 7) % 35,
                fees[d],
                city_of(i),
                f"{SPECIALIZATIONS[i % len(SPECIALIZATIONS)]} specialist, practising since "
                f"{2025 - (1 + (i * 7) % 35)}.",
                is_verified,
            )

    # detail_rows() yields (doctor, the details in DETAIL_FIELDS' order, is_verified).
    detail_fields = ["doctor", *DETAIL_FIELDS, "is_verified"]
    copy_rows(DoctorDetail, detail_fields, detail_rows(), n_doctors, "doctor details")
    result.doctor_ids = [d for d in doctor_ids if verified[d] and doctor_active[d]]

    # --- schedules and the slot pool -------------------------------------------------------
    schedules: list[tuple[int, int, dt.date, dt.time, dt.time]] = []
    sid = 0
    for i, d in enumerate(doctor_ids):
        off = {i % 7, (i + 1) % 7}  # two days off a week
        for offset in range(-DAYS_PAST, DAYS_AHEAD):
            day = today + dt.timedelta(days=offset)
            if day.weekday() in off:
                continue
            for start, end in PATTERNS[i % len(PATTERNS)]:
                sid += 1
                schedules.append((sid, d, day, start, end))
    copy_rows(
        DoctorSchedule,
        ["id", "doctor", "date", "start_time", "end_time"],
        schedules,
        len(schedules),
        "schedules",
    )

    past_pool: list[tuple[int, int, dt.date, dt.time]] = []
    future_pool: list[tuple[int, int, dt.date, dt.time]] = []
    grid = {(s, e): _slot_times(s, e) for pattern in PATTERNS for s, e in pattern}
    for s_id, d, day, start, end in schedules:
        if not verified[d]:
            continue  # nobody can book an unverified doctor
        pool = future_pool if day > today else past_pool
        for t in grid[(start, end)]:
            pool.append((d, s_id, day, t))

    n_past = min(round(n_appointments * 0.7), int(len(past_pool) * 0.85))
    n_future = min(n_appointments - n_past, int(len(future_pool) * 0.4))
    past_pick = rng.sample(range(len(past_pool)), n_past)
    future_pick = set(rng.sample(range(len(future_pool)), n_future))
    picks = [(past_pool[k], True) for k in past_pick]
    picks += [(future_pool[k], False) for k in future_pick]
    rng.shuffle(picks)

    # --- appointments ----------------------------------------------------------------------
    held: set[tuple[int, dt.date, dt.time]] = set()  # (patient, date, time), any status
    heavy_left = {p: HEAVY_ROWS for p in heavy}
    heavy_queue = list(heavy)
    appointments = []
    aid = 0
    for (d, s_id, day, t), is_past in picks:
        patient = None
        # Heavy patients fill up first; if this one already holds this time, a regular patient
        # takes the slot and the heavy one takes a later one.
        if heavy_queue and (heavy_queue[0], day, t) not in held:
            patient = heavy_queue[0]
            heavy_left[patient] -= 1
            if heavy_left[patient] == 0:
                heavy_queue.pop(0)
        if patient is None:
            for _ in range(8):
                cand = regular[rng.randrange(len(regular))]
                if (cand, day, t) not in held:
                    patient = cand
                    break
        if patient is None:
            continue
        held.add((patient, day, t))
        r = rng.random()
        if is_past:
            status = (
                "completed"
                if r < 0.75
                else "cancelled"
                if r < 0.87
                else "no_show"
                if r < 0.95
                else "confirmed"
            )
        else:
            status = "pending" if r < 0.55 else "confirmed" if r < 0.9 else "cancelled"
        start_at = dt.datetime.combine(day, t, tzinfo=tz)
        created = min(start_at - dt.timedelta(days=1 + aid % 20), now - dt.timedelta(minutes=5))
        updated = created if status in ("pending", "confirmed") else min(start_at, now)
        aid += 1
        notes = "Follow-up visit." if aid % 5 == 0 else ""
        appointments.append(
            (aid, patient, d, s_id, day, t, status, notes, fees[d], created, updated)
        )
    missing_heavy = [p for p in heavy if heavy_left[p]]
    if missing_heavy:
        raise RuntimeError(f"bench seed: heavy patients short of {HEAVY_ROWS} rows")

    appt_fields = [
        "id",
        "patient",
        "doctor",
        "schedule",
        "appointment_date",
        "appointment_time",
        "status",
        "notes",
        "fee",
        "created_at",
        "updated_at",
    ]
    indexes = _without_secondary_indexes(AppointmentBooking)
    copy_rows(AppointmentBooking, appt_fields, appointments, len(appointments), "appointments")
    _rebuild_indexes(indexes)

    # --- sequences and statistics ----------------------------------------------------------
    with connection.cursor() as cursor:
        cursor.execute("RESET session_replication_role")
        # COPY ran with triggers off (replica role): the reports' summaries are built in one pass.
        out.write("  report stats\n")
        stats.rebuild(cursor)
        for model in (User, DoctorSchedule, AppointmentBooking):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608 — table names from model metadata
                [table],
            )
        out.write("  vacuum analyze\n")
        for model in (
            User,
            DoctorDetail,
            DoctorSchedule,
            AppointmentBooking,
            DoctorDayStats,
            PatientStats,
        ):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")

    active_doctors = set(result.doctor_ids)
    taken = {(s_id, t) for (_, _, _, s_id, _, t, status, *_rest) in appointments}
    active_taken = [
        (d, s_id, day, t)
        for (_, _, d, s_id, day, t, status, *_rest) in appointments
        if status in ("pending", "confirmed") and day > today and d in active_doctors
    ]
    free = [
        slot
        for slot in future_pool
        if slot[0] in active_doctors and (slot[1], slot[3]) not in taken
    ]
    rng.shuffle(free)
    result.free_slots = free
    result.taken_slots = active_taken[:1000]
    result.counts = {
        "doctors": n_doctors,
        "doctors_bookable": len(result.doctor_ids),
        "patients": n_patients,
        "schedules": len(schedules),
        "appointments": len(appointments),
        "free_future_slots": len(free),
    }
    result.seconds = time.monotonic() - started
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the default size")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    result = seed(scale=args.scale, rng_seed=args.seed)
    print(json.dumps({"counts": result.counts, "seconds": round(result.seconds, 1)}))


if __name__ == "__main__":
    main()

"""`manage.py seed_demo`: a small, realistic clinic to click through, safe to run again.

One admin, 13 verified doctors in 10 specializations and 8 cities, one self-registered doctor
awaiting verification, 20 patients, morning and/or evening schedules for every verified doctor
from 7 days ago to 13 days ahead, and bookings: pending/confirmed ones ahead, completed, cancelled
and no-show ones behind. Every row is found by a natural key before it is made, so a second run
on the same day adds nothing.
"""

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from appointments.models import AppointmentBooking, AppointmentStatus
from appointments.services import appointment_book
from doctors.models import ClinicClosure, DoctorDetail, DoctorSchedule, TimeOff, WorkingHours
from doctors.services import doctor_detail_create, working_hours_replace
from doctors.slots import slot_times
from doctors.time_off import closure_create, time_off_create
from notifications import demo as notifications_demo
from users.models import Role, User
from users.phone import normalize_mobile_number

# Sunday to Thursday (weekday 6, 0–3), 09:00–13:00 and 14:00–17:00: lunch between.
DEMO_HOURS = [
    {"weekday": day, "start_time": dt.time(start), "end_time": dt.time(end)}
    for day in (6, 0, 1, 2, 3)
    for start, end in ((9, 13), (14, 17))
]

# Shared by every demo account; it passes Django's four password validators.
DEMO_PASSWORD = "Healthy-Visit-2026"  # noqa: S105 (a published demo login, not a secret)

ADMIN = ("01700000000", "Clinic Admin", "admin@demo-clinic.example")

# The clinic's people are data, kept as tables next to this package (a header line, then rows).
DEMO_CLINIC = Path(__file__).resolve().parent.parent / "demo_clinic"


def _roster(name: str) -> list[tuple[str, ...]]:
    with open(DEMO_CLINIC / name, newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        next(rows)
        return [tuple(row) for row in rows]


# (mobile, name, specialization, years, fee, location, licence, bio)
DOCTORS = _roster("doctors.csv")

# Self-registered, details still blank: absent from /api/doctors/ until an admin verifies them.
UNVERIFIED_DOCTOR = ("01710000099", "Dr. Imran Kabir", "imran.kabir@example.com")

# (mobile, name, email); the email may be blank.
PATIENTS = _roster("patients.csv")

# Chambers: morning, evening, or a shorter block of each (by doctor, in turn).
BLOCKS = [
    [(dt.time(9), dt.time(13))],
    [(dt.time(17), dt.time(21))],
    [(dt.time(10), dt.time(13)), (dt.time(18), dt.time(21))],
]
PAST_DAYS = 7
UPCOMING_DAYS = 14  # today included
FUTURE_BOOKINGS = 14
PAST_BOOKINGS = 20


def email_of(full_name: str) -> str:
    return full_name.removeprefix("Dr. ").lower().replace(" ", ".") + "@example.com"


class Command(BaseCommand):
    help = "Load a small, realistic demo clinic (idempotent: a second run adds nothing)."

    def handle(self, *args, **options):
        validate_password(DEMO_PASSWORD)
        # One hash for every demo account: hashing is deliberately slow (~0.3 s each), and the
        # seed must stay quick. That is also why users are made here and not by `user_create`,
        # which hashes per call; its other rules (free number, doctor details) are kept below.
        self.password_hash = make_password(DEMO_PASSWORD)
        self.created = {"users": 0, "schedules": 0, "bookings": 0}
        with transaction.atomic():
            admin = self.seed_admin()
            doctors = self.seed_doctors()
            self.seed_unverified_doctor()
            patients = self.seed_patients()
            schedules = self.seed_schedules(doctors)
            self.seed_bookings(admin, doctors, patients, schedules)
            self.seed_working_time(admin, doctors)
            notifications_demo.seed(step=self.step)
        self.print_logins()

    def step(self, message: str) -> None:
        self.stdout.write(f"  {message}")

    def user(self, mobile: str, full_name: str, email: str, role: str, **extra) -> User:
        number = normalize_mobile_number(mobile)
        user = User.objects.filter(mobile_number=number).first()
        if user is None:
            user = User.objects.create(
                mobile_number=number,
                full_name=full_name,
                email=email,
                role=role,
                password=self.password_hash,
                **extra,
            )
            self.created["users"] += 1
        return user

    def seed_admin(self) -> User:
        mobile, name, email = ADMIN
        admin = self.user(mobile, name, email, Role.ADMIN, is_superuser=True)
        self.step(f"admin: {admin.full_name}")
        return admin

    def seed_doctors(self) -> list[User]:
        doctors = []
        for mobile, name, specialization, years, fee, location, licence, bio in DOCTORS:
            doctor = self.user(mobile, name, email_of(name), Role.DOCTOR)
            if not DoctorDetail.objects.filter(doctor=doctor).exists():
                doctor_detail_create(
                    doctor=doctor,
                    is_verified=True,
                    license_number=licence,
                    specialization=specialization,
                    experience_years=int(years),
                    consultation_fee=Decimal(fee),
                    location=location,
                    bio=bio,
                )
            doctors.append(doctor)
        cities = {d[5].rsplit(", ", 1)[-1] for d in DOCTORS}
        self.step(
            f"doctors: {len(doctors)} verified, {len({d[2] for d in DOCTORS})} specializations, "
            f"{len(cities)} cities"
        )
        return doctors

    def seed_unverified_doctor(self) -> None:
        mobile, name, email = UNVERIFIED_DOCTOR
        doctor = self.user(mobile, name, email, Role.DOCTOR)
        if not DoctorDetail.objects.filter(doctor=doctor).exists():
            doctor_detail_create(doctor=doctor, is_verified=False)
        self.step(f"doctors: 1 self-registered, awaiting verification ({name})")

    def seed_patients(self) -> list[User]:
        patients = [self.user(m, name, email, Role.PATIENT) for m, name, email in PATIENTS]
        self.step(f"patients: {len(patients)}")
        return patients

    def seed_schedules(self, doctors: list[User]) -> dict[tuple[int, dt.date], DoctorSchedule]:
        """Every verified doctor's blocks from PAST_DAYS ago to UPCOMING_DAYS ahead."""
        today = timezone.localdate()
        dates = [today + dt.timedelta(days=n) for n in range(-PAST_DAYS, UPCOMING_DAYS)]
        have = set(
            DoctorSchedule.objects.filter(doctor__in=doctors, date__in=dates).values_list(
                "doctor_id", "date", "start_time"
            )
        )
        missing = [
            DoctorSchedule(doctor=doctor, date=date, start_time=start, end_time=end)
            for index, doctor in enumerate(doctors)
            for date in dates
            for start, end in BLOCKS[index % len(BLOCKS)]
            if (doctor.pk, date, start) not in have
        ]
        DoctorSchedule.objects.bulk_create(missing)
        self.created["schedules"] += len(missing)
        # The first block of each doctor's day: where the demo bookings go.
        first: dict[tuple[int, dt.date], DoctorSchedule] = {}
        for schedule in DoctorSchedule.objects.filter(doctor__in=doctors, date__in=dates).order_by(
            "date", "start_time"
        ):
            first.setdefault((schedule.doctor_id, schedule.date), schedule)
        self.step(
            f"schedules: {len(missing)} created, {len(dates)} days "
            f"({PAST_DAYS} past, today and {UPCOMING_DAYS - 1} ahead)"
        )
        return first

    def seed_working_time(self, admin, doctors: list[User]) -> None:
        """Weekly hours with a lunch break for most doctors (generated past the hand-made days),
        a week of time off for one, and one clinic closure; each only if not there yet."""
        today = timezone.localdate()
        with_hours = [d for i, d in enumerate(doctors) if i % 4 != 3]
        have = set(WorkingHours.objects.filter(doctor__in=with_hours).values_list("doctor_id"))
        for doctor in with_hours:
            if (doctor.pk,) not in have:
                working_hours_replace(doctor=doctor, items=DEMO_HOURS, actor=admin)
        away = doctors[0]
        if not TimeOff.objects.filter(doctor=away).exists():
            start = today + dt.timedelta(days=UPCOMING_DAYS + 7)
            time_off_create(
                doctor=away,
                date_from=start,
                date_to=start + dt.timedelta(days=6),
                reason="Conference",
                actor=admin,
            )
        if not ClinicClosure.objects.exists():
            closure_create(
                date=today + dt.timedelta(days=UPCOMING_DAYS + 21),
                reason="Public holiday",
                actor=admin,
            )
        self.step(
            f"working hours: {len(with_hours) - len(have)} doctors set; time off and a closure"
        )

    def seed_bookings(self, admin, doctors, patients, schedules) -> None:
        today = timezone.localdate()
        taken = set(
            AppointmentBooking.objects.filter(doctor__in=doctors).values_list(
                "doctor_id", "appointment_date", "appointment_time"
            )
        )
        # Ahead: through the booking service, so every booking rule applies (tomorrow onward,
        # so no slot has started yet whatever the hour).
        for k in range(FUTURE_BOOKINGS):
            doctor = doctors[(k * 5) % len(doctors)]
            schedule = schedules[(doctor.pk, today + dt.timedelta(days=1 + k % 6))]
            time = slot_times(schedule.start_time, schedule.end_time)[k % 4]
            if (doctor.pk, schedule.date, time) in taken:
                continue
            try:
                appointment_book(
                    patient=patients[k % len(patients)],
                    doctor_id=doctor.pk,
                    schedule_id=schedule.pk,
                    appointment_time=time,
                    notes="Follow-up visit." if k % 2 else "",
                    status=AppointmentStatus.CONFIRMED if k % 3 == 0 else AppointmentStatus.PENDING,
                    actor=admin,
                )
            except ValidationError:
                # Someone clicking through the demo already holds this patient's time: skip it.
                continue
            self.created["bookings"] += 1
        # Behind: history the booking service rightly refuses (past slots), made as rows that
        # keep the same shape: the schedule's date, a slot of it, the doctor's fee.
        history = []
        for k in range(PAST_BOOKINGS):
            doctor = doctors[(k * 7) % len(doctors)]
            schedule = schedules[(doctor.pk, today - dt.timedelta(days=1 + k % PAST_DAYS))]
            time = slot_times(schedule.start_time, schedule.end_time)[k % 5]
            if (doctor.pk, schedule.date, time) in taken:
                continue
            if k % 6 == 5:
                status = AppointmentStatus.CANCELLED
            elif k % 9 == 8:
                status = AppointmentStatus.NO_SHOW
            else:
                status = AppointmentStatus.COMPLETED
            history.append(
                AppointmentBooking(
                    patient=patients[(k * 3 + 1) % len(patients)],
                    doctor=doctor,
                    schedule=schedule,
                    appointment_date=schedule.date,
                    appointment_time=time,
                    status=status,
                    notes="Seen; review in four weeks." if status == "completed" else "",
                    fee=doctor.doctor_detail.consultation_fee,
                )
            )
        AppointmentBooking.objects.bulk_create(history)
        self.created["bookings"] += len(history)
        counts = {
            status: AppointmentBooking.objects.filter(doctor__in=doctors, status=status).count()
            for status in AppointmentStatus.values
        }
        self.step("bookings: " + ", ".join(f"{n} {status}" for status, n in counts.items()))

    def print_logins(self) -> None:
        created = ", ".join(f"{n} {what}" for what, n in self.created.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready (this run created {created})."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  admin    {ADMIN[0]}  {ADMIN[1]}  (also /admin/)")
        self.stdout.write(f"  doctor   {DOCTORS[0][0]}  {DOCTORS[0][1]}  ({DOCTORS[0][2]})")
        self.stdout.write(
            f"  doctor   {UNVERIFIED_DOCTOR[0]}  {UNVERIFIED_DOCTOR[1]}  (unverified)"
        )
        self.stdout.write(f"  patient  {PATIENTS[0][0]}  {PATIENTS[0][1]}")
        self.stdout.write(
            f"  other doctors {DOCTORS[1][0]}…{DOCTORS[-1][0]}, "
            f"other patients {PATIENTS[1][0]}…{PATIENTS[-1][0]}"
        )

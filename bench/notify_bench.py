"""Throughput of reminder delivery: N due reminders, W worker processes draining them.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/hc_notify_bench \\
        .venv/bin/python bench/notify_bench.py --reminders 10000 --workers 2

Uses the database of DATABASE_URL (PostgreSQL, created if missing, its outbox emptied), SMS and
email to the locmem backends (the cost measured is the queue's: claim, render, record), and W
processes each running the drain loop the Celery `drain` task runs (SKIP LOCKED batches).
Prints reminders per second and checks that each one was sent exactly once.
"""

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthcare.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ["CELERY_BROKER_URL"] = ""
os.environ.pop("REDIS_URL", None)
os.environ["SMS_URL"] = "locmem:"


def _setup():
    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_URL = "locmem:"
    settings.SMS_MAX_PER_HOUR = 10**9


def _drain(_):
    _setup()
    from notifications.services import notifications_drain

    return notifications_drain(max_seconds=600)


def seed(count: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from appointments.models import AppointmentBooking
    from doctors.models import DoctorDetail, DoctorSchedule
    from notifications.models import Notification
    from users.models import Role, User

    call_command("migrate", verbosity=0)
    Notification.objects.all().delete()
    AppointmentBooking.objects.filter(notes="notify-bench").delete()
    doctor, _ = User.objects.get_or_create(
        mobile_number="+8801799000001", defaults={"full_name": "Bench Doctor", "role": Role.DOCTOR}
    )
    DoctorDetail.objects.get_or_create(
        doctor=doctor,
        defaults={"license_number": "BENCH-1", "consultation_fee": 500, "is_verified": True},
    )
    patients = []
    for i in range(count // 2):
        number = f"+88017980{i:05d}"
        patient, _ = User.objects.get_or_create(
            mobile_number=number,
            defaults={"full_name": f"Bench Patient {i}", "email": f"p{i}@example.com"},
        )
        patients.append(patient)
    today = timezone.localdate() + dt.timedelta(days=5)
    appointments = []
    for i, patient in enumerate(patients):
        date = today + dt.timedelta(days=i // 40)
        schedule, _ = DoctorSchedule.objects.get_or_create(
            doctor=doctor, date=date, start_time=dt.time(0, 0), end_time=dt.time(23, 30)
        )
        minutes = (i % 40) * 30
        appointments.append(
            AppointmentBooking(
                patient=patient,
                doctor=doctor,
                schedule=schedule,
                appointment_date=date,
                appointment_time=dt.time(minutes // 60, minutes % 60),
                fee=500,
                notes="notify-bench",
            )
        )
    AppointmentBooking.objects.bulk_create(appointments, batch_size=1000)
    due = timezone.now() - dt.timedelta(seconds=1)
    rows = [
        Notification(
            user_id=a.patient_id, channel=channel, event="reminder", appointment=a, due_at=due
        )
        for a in appointments
        for channel in ("email", "sms")
    ]
    Notification.objects.bulk_create(rows, batch_size=2000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reminders", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    _setup()
    from django.db import connections

    from notifications.models import Notification

    seed(args.reminders)
    connections.close_all()
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        claimed = sum(pool.map(_drain, range(args.workers)))
    elapsed = time.perf_counter() - started
    sent = Notification.objects.filter(status="sent").count()
    attempts = set(Notification.objects.values_list("attempts", flat=True))
    print(
        f"{claimed} claimed, {sent} sent (attempts per row: {sorted(attempts)}) by "
        f"{args.workers} workers in {elapsed:.2f} s: {sent / elapsed:.0f} reminders/s"
    )


if __name__ == "__main__":
    main()

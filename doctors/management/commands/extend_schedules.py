"""Roll every doctor's generated schedules forward to today + BOOKING_HORIZON_DAYS.

Idempotent and safe to run any time (the task scheduler runs it daily): what already matches the
working hours is left alone; one transaction per batch of doctors.
"""

from django.core.management.base import BaseCommand

from doctors.generation import schedules_generate
from doctors.models import WorkingHours

BATCH = 200


class Command(BaseCommand):
    help = "Generate schedules from weekly working hours up to the booking horizon (idempotent)."

    def handle(self, *args, **options):
        doctor_ids = sorted(
            set(WorkingHours.objects.values_list("doctor_id", flat=True).order_by())
        )
        created = deleted = 0
        for start in range(0, len(doctor_ids), BATCH):
            result = schedules_generate(doctor_ids=doctor_ids[start : start + BATCH])
            created += result["created"]
            deleted += result["deleted"]
        self.stdout.write(
            f"{len(doctor_ids)} doctors: {created} schedules created, {deleted} removed."
        )

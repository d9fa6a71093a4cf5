"""`manage.py rebuild_report_stats`: recompute the reports' summaries from the bookings."""

from django.core.management.base import BaseCommand

from appointments.services import report_stats_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the per-doctor-day and per-patient summaries the admin reports read. "
        "Database triggers keep them exact; run this after loading bookings with triggers off."
    )

    def handle(self, *args, **options):
        report_stats_rebuild()
        self.stdout.write("Report summaries rebuilt.")

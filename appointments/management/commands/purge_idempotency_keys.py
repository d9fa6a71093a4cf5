"""`manage.py purge_idempotency_keys`: drop stored Idempotency-Key answers older than 24 hours."""

from django.core.management.base import BaseCommand

from appointments.idempotency import purge_expired


class Command(BaseCommand):
    help = (
        "Delete the stored answers of Idempotency-Key requests older than 24 hours. Safe to run "
        "any time; meant to run daily (an expired key is already ignored before it is purged)."
    )

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"{deleted} idempotency record(s) purged.")

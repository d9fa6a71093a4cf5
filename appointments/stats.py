"""The reports' summaries on PostgreSQL: which migration holds their SQL, and their rebuild.

`DoctorDayStats`, `DoctorStats`, `PatientStats` and `ReportTotals` are kept by a PostgreSQL
trigger on bookings (and one on users for the doctor's name) whose SQL is frozen in a
migration, so that editing Python never changes what an applied migration installed. A change
to the trigger is a new migration and a new `CURRENT` here. SQLite keeps no summaries: the
reports aggregate the bookings there (`admin_panel.selectors`), and a PostgreSQL test checks
that both ways give the same report.

The bookings' trigger is deferred to commit (migration 0013): a transaction's summary updates
run, and lock the summary rows, only as it commits. A transaction that reads the summaries
after writing bookings (a test's, which never commits) calls `apply_now` first.
"""

import importlib
from types import ModuleType

from django.db import connection

CURRENT = "appointments.migrations.0013_report_stats_at_commit"
# The deferred trigger's constraint name (SET CONSTRAINTS takes it).
BOOKINGS_TRIGGER = "appointments_report_stats"


def current() -> ModuleType:
    """The migration that installed the summaries' trigger functions now in force."""
    return importlib.import_module(CURRENT)


def kept() -> bool:
    """Whether this database keeps the summaries (PostgreSQL) or the reports aggregate."""
    return connection.vendor == "postgresql"


def rebuild(cursor) -> None:
    """Recompute every summary from the bookings; the caller keeps bookings still meanwhile."""
    for statement in current().REBUILD:
        cursor.execute(statement)


def apply_now() -> None:
    """Run this transaction's pending summary updates now, and its later ones as they happen
    (a deferred trigger set to immediate for the rest of the transaction)."""
    if kept() and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SET CONSTRAINTS {connection.ops.quote_name(BOOKINGS_TRIGGER)} IMMEDIATE"
            )

"""The reports' summaries on PostgreSQL: which migration holds their SQL, and their rebuild.

`DoctorDayStats`, `DoctorStats`, `PatientStats` and `ReportTotals` are kept by a PostgreSQL
trigger on bookings (and one on users for the doctor's name) whose SQL is frozen in a
migration, so that editing Python never changes what an applied migration installed. A change
to the trigger is a new migration and a new `CURRENT` here. SQLite keeps no summaries: the
reports aggregate the bookings there (`admin_panel.selectors`), and a PostgreSQL test checks
that both ways give the same report.
"""

import importlib
from types import ModuleType

from django.db import connection

CURRENT = "appointments.migrations.0011_report_stats_lifecycle"


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

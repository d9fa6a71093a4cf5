"""Reads of the admin panel: managed accounts, bookings, the audit trail and the reports."""

import datetime as dt
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from admin_panel.models import AuditLogEntry
from appointments.models import AppointmentBooking, AppointmentStatus
from users.models import Role, User

NOT_CANCELLED = ~Q(status=AppointmentStatus.CANCELLED)
COMPLETED = Q(status=AppointmentStatus.COMPLETED)
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def managed_user_list(*, role: str) -> QuerySet[User]:
    """Every patient or doctor account (inactive and unverified included), newest first."""
    queryset = User.objects.filter(role=role)
    if role == Role.DOCTOR:
        queryset = queryset.select_related("doctor_detail")
    return queryset.order_by("-id")


def appointment_admin_list() -> QuerySet[AppointmentBooking]:
    """Every booking with its patient and doctor joined, newest first."""
    return AppointmentBooking.objects.select_related("patient", "doctor").order_by("-id")


def audit_log_list() -> QuerySet[AuditLogEntry]:
    """The whole audit trail, newest first."""
    return AuditLogEntry.objects.order_by("-timestamp", "-id")


def _in_range(date_from: dt.date | None, date_to: dt.date | None) -> QuerySet[AppointmentBooking]:
    queryset = AppointmentBooking.objects.all()
    if date_from:
        queryset = queryset.filter(appointment_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(appointment_date__lte=date_to)
    return queryset


def report_per_doctor(*, date_from: dt.date | None, date_to: dt.date | None) -> list[dict]:
    """One row per doctor with a booking in the range, by name; two queries.

    The bookings are grouped by doctor id alone, so PostgreSQL hash-aggregates them instead of
    sorting every joined row by name; the names (one per doctor) are fetched and sorted after.
    """
    rows = list(
        _in_range(date_from, date_to)
        .values("doctor_id")
        .annotate(
            total_appointments=Count("id", filter=NOT_CANCELLED),
            completed_appointments=Count("id", filter=COMPLETED),
            revenue=Coalesce(Sum("fee", filter=COMPLETED), ZERO),
        )
        .order_by()
    )
    names = dict(
        User.objects.filter(pk__in=[row["doctor_id"] for row in rows]).values_list(
            "id", "full_name"
        )
    )
    for row in rows:
        row["doctor_name"] = names.get(row["doctor_id"], "")
    rows.sort(key=lambda row: (row["doctor_name"], row["doctor_id"]))
    return rows


def report_totals(*, per_doctor: list[dict]) -> dict:
    """Non-cancelled bookings and revenue of the whole range, summed from the per-doctor rows."""
    return {
        "total_appointments": sum(row["total_appointments"] for row in per_doctor),
        "total_revenue": sum((row["revenue"] for row in per_doctor), Decimal("0.00")),
    }


def report_patient_rows(*, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """One row per patient with a booking in the range, by name (paged by the caller).

    Walks the patients in name order and stops at the page's end, counting non-cancelled
    bookings only for the patients on it, rather than grouping every booking of the range.
    """
    bookings = _in_range(date_from, date_to).filter(patient_id=OuterRef("pk"))
    counted = (
        bookings.filter(NOT_CANCELLED)
        .order_by()
        .values("patient_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        User.objects.filter(role=Role.PATIENT)
        .filter(Exists(bookings))
        .order_by("full_name", "id")
        .values(
            patient_id=F("id"),
            patient_name=F("full_name"),
            total_appointments=Coalesce(Subquery(counted), 0),
        )
    )


def report_patient_appointments(
    *, patient_ids: list[int], date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet[AppointmentBooking]:
    """All bookings (cancelled too) of the given patients in the range, by date and time."""
    return (
        _in_range(date_from, date_to)
        .filter(patient_id__in=patient_ids)
        .select_related("doctor")
        .order_by("appointment_date", "appointment_time", "id")
    )

"""Reads of the admin panel: managed accounts, bookings, the audit trail and the reports."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
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


def report_totals(*, date_from: dt.date | None, date_to: dt.date | None) -> dict:
    """Non-cancelled bookings and revenue (booking-time fees of completed ones); one query."""
    return _in_range(date_from, date_to).aggregate(
        total_appointments=Count("id", filter=NOT_CANCELLED),
        total_revenue=Coalesce(Sum("fee", filter=COMPLETED), ZERO),
    )


def report_per_doctor(*, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """One row per doctor with a booking in the range, by name; one query."""
    return (
        _in_range(date_from, date_to)
        .values("doctor_id", doctor_name=F("doctor__full_name"))
        .annotate(
            total_appointments=Count("id", filter=NOT_CANCELLED),
            completed_appointments=Count("id", filter=COMPLETED),
            revenue=Coalesce(Sum("fee", filter=COMPLETED), ZERO),
        )
        .order_by("doctor_name", "doctor_id")
    )


def report_patient_rows(*, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """One row per patient with a booking in the range, by name (paged by the caller)."""
    return (
        _in_range(date_from, date_to)
        .values("patient_id", patient_name=F("patient__full_name"))
        .annotate(total_appointments=Count("id", filter=NOT_CANCELLED))
        .order_by("patient_name", "patient_id")
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

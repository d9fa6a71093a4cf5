"""Reads of the admin panel: managed accounts, bookings, the audit trail and the reports."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
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
from appointments import stats
from appointments.models import (
    AppointmentBooking,
    AppointmentStatus,
    CancellationReason,
    DoctorDayStats,
    DoctorStats,
    PatientStats,
    ReportTotals,
)
from users.models import Role, User

NOT_CANCELLED = ~Q(status=AppointmentStatus.CANCELLED)
COMPLETED = Q(status=AppointmentStatus.COMPLETED)
NO_SHOW = Q(status=AppointmentStatus.NO_SHOW)
DECLINED = Q(status=AppointmentStatus.CANCELLED, cancellation_reason=CancellationReason.DECLINED)
MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


def managed_user_list(*, role: str) -> QuerySet[User]:
    """Every patient or doctor account (inactive and unverified included), newest first."""
    queryset = User.objects.filter(role=role)
    if role == Role.DOCTOR:
        queryset = queryset.select_related("doctor_detail")
    return queryset.order_by("-id")


def appointment_admin_list() -> QuerySet[AppointmentBooking]:
    """Every booking with its patient and doctor joined, newest first."""
    return AppointmentBooking.objects.select_related("patient", "doctor").order_by("-id")


def appointment_total() -> int:
    """How many bookings there are (every status)."""
    if stats.kept():
        return DoctorStats.objects.aggregate(n=Sum("bookings"))["n"] or 0
    return AppointmentBooking.objects.count()


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


# A per-doctor row of the report is a tuple of these, revenue in whole cents (an int): the
# summaries keep cents, and the row serializer writes cents out (`healthcare.api.formats`)
# without a `Decimal` per row.
PER_DOCTOR_COLUMNS = (
    "doctor_id",
    "doctor_name",
    "total_appointments",
    "completed_appointments",
    "no_show_appointments",
    "declined_appointments",
    "revenue_cents",
)
TOTAL, REVENUE_CENTS = PER_DOCTOR_COLUMNS.index("total_appointments"), len(PER_DOCTOR_COLUMNS) - 1


def per_doctor_from_summaries(*, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """The per-doctor rows from the summaries the PostgreSQL trigger keeps (appointments.stats).

    All time, one `DoctorStats` row per doctor, name included; for a range, the `DoctorDayStats`
    rows of its days summed per doctor (instead of grouping every booking of the range).
    """
    if date_from is None and date_to is None:
        return (
            DoctorStats.objects.filter(bookings__gt=0)
            .annotate(
                total_appointments=F("appointments"),
                completed_appointments=F("completed"),
                no_show_appointments=F("no_show"),
                declined_appointments=F("declined"),
            )
            .order_by("doctor_name", "doctor_id")
            .values_list(*PER_DOCTOR_COLUMNS)
        )
    days = DoctorDayStats.objects.all()
    if date_from:
        days = days.filter(date__gte=date_from)
    if date_to:
        days = days.filter(date__lte=date_to)
    name = User.objects.filter(pk=OuterRef("doctor_id")).values("full_name")
    return (
        days.values("doctor_id")
        .annotate(
            total_bookings=Sum("bookings"),
            total_appointments=Sum("appointments"),
            completed_appointments=Sum("completed"),
            no_show_appointments=Sum("no_show"),
            declined_appointments=Sum("declined"),
            revenue_cents=Sum("revenue_cents"),
        )
        .filter(total_bookings__gt=0)
        .annotate(doctor_name=Subquery(name))
        .order_by("doctor_name", "doctor_id")
        .values_list(*PER_DOCTOR_COLUMNS)
    )


def per_doctor_by_aggregation(*, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """The per-doctor rows grouped from the bookings themselves (databases without summaries),
    revenue as a two-place `Decimal` (`report_per_doctor` turns it into cents).

    What the summaries mean: per doctor, bookings that are not cancelled, completed ones, no-show
    ones, declined ones (cancelled with reason `declined`) and the booking-time fees of completed
    ones.
    """
    return (
        _in_range(date_from, date_to)
        .values("doctor_id")
        .annotate(
            doctor_name=F("doctor__full_name"),
            total_appointments=Count("id", filter=NOT_CANCELLED),
            completed_appointments=Count("id", filter=COMPLETED),
            no_show_appointments=Count("id", filter=NO_SHOW),
            declined_appointments=Count("id", filter=DECLINED),
            revenue=Coalesce(Sum("fee", filter=COMPLETED), ZERO, output_field=MONEY),
        )
        .order_by("doctor_name", "doctor_id")
        .values_list(*PER_DOCTOR_COLUMNS[:-1], "revenue")
    )


def report_per_doctor(*, date_from: dt.date | None, date_to: dt.date | None) -> list[tuple]:
    """One row (`PER_DOCTOR_COLUMNS`) per doctor with a booking in the range, by name; one query."""
    if stats.kept():
        return list(per_doctor_from_summaries(date_from=date_from, date_to=date_to))
    rows = per_doctor_by_aggregation(date_from=date_from, date_to=date_to)
    return [(*row[:REVENUE_CENTS], int(row[REVENUE_CENTS].scaleb(2))) for row in rows]


def report_totals(*, per_doctor: list[tuple]) -> dict:
    """Non-cancelled bookings and revenue of the whole range, summed from the per-doctor rows."""
    return {
        "total_appointments": sum(row[TOTAL] for row in per_doctor),
        "total_revenue": Decimal(sum(row[REVENUE_CENTS] for row in per_doctor)).scaleb(-2),
    }


def report_patients_count(*, date_from: dt.date | None, date_to: dt.date | None) -> int:
    """How many patients have a booking (cancelled included) in the range; one query.

    Where the summaries are kept, from the per-patient ones (`PatientStats`): a patient whose
    first and last booking dates both lie in the range has one there, one whose span misses the
    range has none, and only those in between are probed. All time, the count the trigger
    keeps in `ReportTotals`. Elsewhere the bookings of the range are counted by patient.
    """
    if not stats.kept():
        return _in_range(date_from, date_to).values("patient_id").distinct().count()
    patients = PatientStats.objects.filter(bookings__gt=0)
    if date_from is None and date_to is None:
        kept = ReportTotals.objects.filter(pk=1).values_list("patients", flat=True)
        for count in kept:
            return count
        return patients.count()
    inside = Q()
    if date_from:
        patients = patients.filter(last_date__gte=date_from)
        inside &= Q(first_date__gte=date_from)
    if date_to:
        patients = patients.filter(first_date__lte=date_to)
        inside &= Q(last_date__lte=date_to)
    probe = _in_range(date_from, date_to).filter(patient_id=OuterRef("patient_id"))
    return patients.filter(inside | Exists(probe)).count()


def report_patient_rows(*, date_from: dt.date | None, date_to: dt.date | None) -> QuerySet:
    """One row per patient with a booking in the range, by name (paged by the caller).

    Walks the patients in name order and stops at the page's end, counting non-cancelled
    bookings only for the patients on it, rather than grouping every booking of the range.
    Its total is `report_patients_count`, which answers the same question without the walk.
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
        # role=patient: every booking's patient has it, and (role, full_name) is the walk's index.
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
) -> QuerySet:
    """All bookings (cancelled too) of the given patients in the range, by date and time.

    Flat rows (`.values()`): a page of patients can hold thousands of bookings.
    """
    return (
        _in_range(date_from, date_to)
        .filter(patient_id__in=patient_ids)
        .order_by("appointment_date", "appointment_time", "id")
        .values(
            "id",
            "patient_id",
            "doctor_id",
            "appointment_date",
            "appointment_time",
            "status",
            "fee",
            doctor_name=F("doctor__full_name"),
        )
    )


@dataclass(frozen=True)
class Report:
    """The admin report of one date range and one page of its patients."""

    total_appointments: int
    total_revenue: Decimal
    appointments_per_doctor: list[tuple]  # PER_DOCTOR_COLUMNS
    patients: list[dict]


def report_get(
    *,
    date_from: dt.date | None,
    date_to: dt.date | None,
    page_patients: Callable[[QuerySet, int], list[dict]],
) -> Report:
    """The report over an inclusive date range (None: open) in a fixed number of queries.

    `page_patients(rows, count)` picks the page of patient rows the caller shows (the API's
    paginator); each patient on it comes with all their bookings in the range.
    """
    per_doctor = report_per_doctor(date_from=date_from, date_to=date_to)
    patients = page_patients(
        report_patient_rows(date_from=date_from, date_to=date_to),
        report_patients_count(date_from=date_from, date_to=date_to),
    )
    appointments = report_patient_appointments(
        patient_ids=[row["patient_id"] for row in patients],
        date_from=date_from,
        date_to=date_to,
    )
    by_patient: dict[int, list] = {row["patient_id"]: [] for row in patients}
    for appointment in appointments:
        by_patient[appointment["patient_id"]].append(appointment)
    return Report(
        **report_totals(per_doctor=per_doctor),
        appointments_per_doctor=per_doctor,
        patients=[{**row, "appointments": by_patient[row["patient_id"]]} for row in patients],
    )

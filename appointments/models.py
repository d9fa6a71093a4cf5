"""Bookings of a patient into one 30-minute slot of a doctor's schedule."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from healthcare.db.constraints import choices_check
from healthcare.db.raw import Literal
from users.models import one_row_per_user


class AppointmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed"
    # The patient has arrived: still active (it holds its slot) until completed.
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


class CancellationReason(models.TextChoices):
    """Why a cancelled appointment was cancelled (contract v1.1 "Precisions")."""

    PATIENT = "patient", "Cancelled by the patient"
    DECLINED = "declined", "Declined by the doctor"
    DOCTOR_UNAVAILABLE = "doctor_unavailable", "Doctor unavailable"
    RESCHEDULED = "rescheduled", "Rescheduled"
    ADMIN = "admin", "Cancelled by an admin"


ACTIVE_STATUSES = (
    AppointmentStatus.PENDING,
    AppointmentStatus.CONFIRMED,
    AppointmentStatus.CHECKED_IN,
)
FINAL_STATUSES = (
    AppointmentStatus.COMPLETED,
    AppointmentStatus.CANCELLED,
    AppointmentStatus.NO_SHOW,
)
ACTIVE_Q = Q(status__in=[s.value for s in ACTIVE_STATUSES])
# The same, the statuses written into the SQL as literals: for a query that gets prepared, whose
# generic plan can use the partial unique indexes only for a predicate it can match with theirs
# (healthcare/db/raw.py). Not for constraints: their condition is `ACTIVE_Q`.
ACTIVE_LITERAL_Q = Q(status__in=[Literal(s.value) for s in ACTIVE_STATUSES])


class AppointmentBooking(models.Model):
    """A patient's booking of one slot; only active ones (pending, confirmed, checked in) hold it.

    The database has the last word on double booking: one active booking per (schedule, time),
    per (doctor, date, time) and per (patient, date, time).
    """

    # No single-column indexes on patient and doctor: the composite indexes below lead with
    # them and serve every lookup, so a second index would only slow each booking's insert.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        db_index=False,
    )
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="doctor_appointments",
        db_index=False,
    )
    # SET_NULL: a schedule with only past or cancelled bookings may be deleted; the booking keeps
    # its own date and time. Schedules holding active bookings are never deleted (service rule).
    schedule = models.ForeignKey(
        "doctors.DoctorSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    appointment_date = models.DateField()
    appointment_time = models.TimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.PENDING
    )
    notes = models.TextField(blank=True, max_length=2000)
    # The doctor's fee when booked: later fee changes never rewrite history or revenue.
    fee = models.DecimalField(max_digits=10, decimal_places=2)
    # Set together when it is cancelled, cleared together when an admin makes it active again.
    # NULL, not "", for "not cancelled": the API shows null (contract v1.1 "Appointment lifecycle").
    cancellation_reason = models.CharField(  # noqa: DJ001
        max_length=20, choices=CancellationReason.choices, null=True, blank=True
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The optional free-text `reason` of a cancel or decline, shown to patient and doctor.
    cancellation_note = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001
    # A reschedule links the old appointment and its replacement both ways; each is one-to-one
    # (an appointment is rescheduled at most once, into one new appointment).
    rescheduled_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["appointment_date", "appointment_time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "appointment_time"],
                condition=ACTIVE_Q,
                name="appointment_unique_active_slot",
            ),
            # What matters is the doctor's time, not the schedule row: a schedule emptied of
            # active bookings may move to another date.
            models.UniqueConstraint(
                fields=["doctor", "appointment_date", "appointment_time"],
                condition=ACTIVE_Q,
                name="appointment_unique_active_doctor_time",
            ),
            models.UniqueConstraint(
                fields=["patient", "appointment_date", "appointment_time"],
                condition=ACTIVE_Q,
                name="appointment_unique_active_patient_time",
            ),
            choices_check("status", AppointmentStatus, "appointment_status_valid"),
            models.CheckConstraint(condition=Q(fee__gte=0), name="appointment_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(cancellation_reason__isnull=True)
                | Q(cancellation_reason__in=[r.value for r in CancellationReason]),
                name="appointment_cancellation_reason_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["doctor", "appointment_date", "appointment_time"],
                name="appt_doctor_date_idx",
            ),
            models.Index(
                fields=["patient", "appointment_date", "appointment_time"],
                name="appt_patient_date_idx",
            ),
            models.Index(fields=["appointment_date", "status"], name="appt_date_status_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.appointment_date} {self.appointment_time:%H:%M} ({self.status})"


class DoctorDayStats(models.Model):
    """Per doctor and date: bookings, non-cancelled, completed (and their revenue), no-show and
    declined ones.

    Derived data for the admin reports, which would otherwise aggregate every booking of the
    range (about 260 ms at 500k bookings). Database triggers on `AppointmentBooking` keep it
    exact on every write, whoever makes it (migration 0004); `report_stats_rebuild` recomputes
    it from scratch. Revenue in cents: exact sums on SQLite too.
    """

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()
    bookings = models.IntegerField(default=0)
    appointments = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    # Cancelled with reason `declined` (by the doctor or an admin).
    declined = models.IntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doctor", "date"], name="doctordaystats_unique"),
        ]
        indexes = [models.Index(fields=["date"], name="doctordaystats_date_idx")]

    def __str__(self):
        return f"doctor {self.doctor_id} on {self.date}: {self.bookings} bookings"


class DoctorStats(models.Model):
    """Per doctor, all time: the sums of their `DoctorDayStats` rows, kept by the same triggers.

    The all-time report reads one row per doctor instead of summing every day of every doctor.
    """

    doctor = one_row_per_user()
    # A copy of the doctor's full_name (a trigger on users keeps it): the all-time report reads
    # names and totals from this one table, in name order.
    doctor_name = models.CharField(max_length=150, blank=True, default="")
    bookings = models.IntegerField(default=0)
    appointments = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    no_show = models.IntegerField(default=0)
    # Cancelled with reason `declined` (by the doctor or an admin).
    declined = models.IntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)

    def __str__(self):
        return f"doctor {self.doctor_id}: {self.bookings} bookings"


class PatientStats(models.Model):
    """Per patient: how many bookings (cancelled included) and the first and last date.

    Lets the report count the patients of a range without probing every patient's bookings:
    one whose first and last dates lie inside the range has a booking in it; one whose span
    misses the range has none; only the rest are probed. Kept by the same triggers.
    """

    patient = one_row_per_user()
    bookings = models.IntegerField(default=0)
    first_date = models.DateField(null=True)
    last_date = models.DateField(null=True)

    def __str__(self):
        return f"patient {self.patient_id}: {self.bookings} bookings"


class ReportTotals(models.Model):
    """One row (id 1): how many patients hold any booking, kept by the booking triggers.

    The all-time report's patient count without counting 50k summary rows per request. When
    the row is missing (a flushed test database), readers count `PatientStats` instead.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    patients = models.IntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="reporttotals_one_row")]

    def __str__(self):
        return f"{self.patients} patients with bookings"


class IdempotencyRecord(models.Model):
    """The first answer to a POST action sent with an `Idempotency-Key`, per user and key.

    Written in the same transaction as the action (`appointments.idempotency`): its row is the
    "in flight" lock while that transaction runs, and it never outlives a rolled-back action.
    Kept 24 hours (`manage.py purge_idempotency_keys`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    # sha256 of method, path and the body as sorted-keys JSON: the same key must mean the same call.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key"),
        ]

    def __str__(self):
        return f"user {self.user_id} key {self.key[:20]} ({self.status_code})"

"""A doctor's professional details and the dated schedules patients book into."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from users.models import one_row_per_user


class DoctorDetail(models.Model):
    """Professional profile of a doctor user; its primary key is the doctor's user id."""

    doctor = one_row_per_user(related_name="doctor_detail")
    # NULL until a self-registered doctor fills it in; unique among doctors once set.
    license_number = models.CharField(max_length=50, unique=True, null=True, blank=True)
    specialization = models.CharField(max_length=100, blank=True)
    experience_years = models.PositiveSmallIntegerField(default=0)
    consultation_fee = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    location = models.CharField(max_length=200, blank=True)
    bio = models.TextField(blank=True)
    is_verified = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(consultation_fee__gte=0), name="doctordetail_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(experience_years__lte=80), name="doctordetail_experience_sane"
            ),
        ]
        indexes = [
            # The directory filters specialization case-insensitively: UPPER(...) = UPPER(%s).
            models.Index(Upper("specialization"), name="doctordetail_spec_upper_idx"),
            models.Index(fields=["consultation_fee"], name="doctordetail_fee_idx"),
        ]

    def __str__(self):
        return f"{self.specialization or 'Doctor'} — {self.license_number or 'no licence yet'}"


class ScheduleSource(models.TextChoices):
    WEEKLY = "weekly", "Generated from weekly working hours"
    MANUAL = "manual", "Entered by hand"


class DoctorSchedule(models.Model):
    """A dated block of a doctor's time, cut into 30-minute slots from `start_time`.

    `weekly` ones are generated from the doctor's working hours (doctors/generation.py);
    `manual` ones are the doctor's own and replace a date's generated ones.
    """

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedules"
    )
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    source = models.CharField(
        max_length=10, choices=ScheduleSource.choices, default=ScheduleSource.MANUAL
    )

    class Meta:
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="schedule_end_after_start"
            ),
        ]
        # Overlaps are refused by the service under a lock on the doctor's row; a unique index on
        # the start would make legitimate in-place swaps of two schedules fail mid-update.
        indexes = [
            models.Index(fields=["doctor", "date", "start_time"], name="schedule_doctor_date_idx")
        ]

    def __str__(self):
        return f"{self.date} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class WorkingHours(models.Model):
    """One weekly interval of a doctor's working time; `weekday` 0 = Monday … 6 = Sunday.

    A weekday may hold several (the gaps are breaks); they never overlap (service rule, under a
    lock on the doctor's row).
    """

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField()
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time", "id"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="workinghours_weekday_valid"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="workinghours_end_after_start",
            ),
        ]
        indexes = [models.Index(fields=["doctor", "weekday"], name="workinghours_doctor_idx")]

    def __str__(self):
        day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[self.weekday]
        return f"{day} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """A doctor's absence: one continuous span from `date_from` at `start_time` (NULL: 00:00) to
    `date_to` at `end_time` (NULL: the end of the day), in the clinic's wall-clock time.

    It takes away every slot it overlaps (doctors/availability.py keeps that rule).
    """

    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off"
    )
    date_from = models.DateField()
    date_to = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_from", "id"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=models.F("date_from")), name="timeoff_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["doctor", "date_to"], name="timeoff_doctor_idx")]

    def __str__(self):
        start = f" {self.start_time:%H:%M}" if self.start_time else ""
        end = f" {self.end_time:%H:%M}" if self.end_time else ""
        return f"{self.date_from}{start} – {self.date_to}{end}"


class ClinicClosure(models.Model):
    """A date the whole clinic is closed (a public holiday): whole-day time off for every doctor."""

    date = models.DateField(unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} {self.reason}".strip()

"""Reads of doctors' details and schedules."""

from django.db.models import QuerySet
from django.utils import timezone

from doctors.models import DoctorSchedule


def schedule_upcoming_list(*, doctor) -> QuerySet[DoctorSchedule]:
    """The doctor's schedules dated today or later (clinic time), by date and start time."""
    return DoctorSchedule.objects.filter(doctor=doctor, date__gte=timezone.localdate()).order_by(
        "date", "start_time", "id"
    )

"""Reads of accounts."""

from django.db.models import Prefetch
from django.utils import timezone

from doctors.models import DoctorSchedule
from users.models import User


def profile_get(*, user: User) -> User:
    """The caller's own account as the profile shows it: a doctor's details and upcoming
    schedules (dated today or later, by date and start time) come along; three queries at most.
    """
    upcoming = DoctorSchedule.objects.filter(date__gte=timezone.localdate()).order_by(
        "date", "start_time", "id"
    )
    return (
        User.objects.select_related("doctor_detail")
        .prefetch_related(Prefetch("schedules", queryset=upcoming))
        .get(pk=user.pk)
    )

"""Reads of doctors' details and schedules."""

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from doctors.filters import DoctorFilter
from doctors.models import DoctorSchedule
from users.models import Role


def schedule_upcoming_list(*, doctor) -> QuerySet[DoctorSchedule]:
    """The doctor's schedules dated today or later (clinic time), by date and start time."""
    return DoctorSchedule.objects.filter(doctor=doctor, date__gte=timezone.localdate()).order_by(
        "date", "start_time", "id"
    )


def doctor_public_queryset() -> QuerySet:
    """Doctors the public may see: role doctor, active and verified, with their details joined."""
    return (
        get_user_model()
        .objects.filter(role=Role.DOCTOR, is_active=True, doctor_detail__is_verified=True)
        .select_related("doctor_detail")
    )


def doctor_list(*, filters=None) -> QuerySet:
    """The public doctors directory filtered by `DoctorFilter` (malformed filters → 400).

    Availability is an `Exists` computed in the database, so the list costs one query however
    many doctors and schedules there are.
    """
    filterset = DoctorFilter(filters or {}, queryset=doctor_public_queryset())
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.qs


def doctor_directory_rows(*, filters=None) -> QuerySet:
    """`doctor_list` as flat rows (`.values()`) of exactly what the directory shows.

    The busiest public read: rows as dicts skip building two model instances per doctor, and
    the query selects 7 columns instead of every column of the user and their details.
    """
    return doctor_list(filters=filters).values(
        "id",
        "full_name",
        specialization=F("doctor_detail__specialization"),
        experience_years=F("doctor_detail__experience_years"),
        consultation_fee=F("doctor_detail__consultation_fee"),
        location=F("doctor_detail__location"),
        bio=F("doctor_detail__bio"),
    )


def doctor_public_get(*, doctor_id: int, with_schedules: bool = True):
    """One public doctor (upcoming schedules prefetched unless told not to); 404 if not public."""
    queryset = doctor_public_queryset()
    if with_schedules:
        upcoming = DoctorSchedule.objects.filter(date__gte=timezone.localdate()).order_by(
            "date", "start_time", "id"
        )
        queryset = queryset.prefetch_related(Prefetch("schedules", queryset=upcoming))
    return get_object_or_404(queryset, pk=doctor_id)

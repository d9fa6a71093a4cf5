"""Public doctors directory: list, one doctor with upcoming schedules, and bookable slots.

The output serializers live here because `doctors/serializers.py` holds the profile's ones
(owned with the profile endpoint); these are only the public directory's shapes.
"""

import datetime as dt

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.selectors import doctor_slot_list
from doctors.filters import DoctorFilter
from doctors.selectors import (
    DIRECTORY_COLUMNS,
    doctor_directory,
    doctor_public_get,
    doctor_public_queryset,
)
from doctors.serializers import ScheduleOutputSerializer
from healthcare.api import dates
from healthcare.api.formats import SlotInstantField, date_out, money, time_out
from healthcare.api.ids import MAX_ID
from healthcare.api.pagination import CountInPagePagination
from healthcare.clinic import slot_instants_out
from users.models import User

DEFAULT_SLOT_DAYS = 7
MAX_SLOT_RANGE_DAYS = 30


class DoctorPublicOutputSerializer(serializers.ModelSerializer):
    """A doctor as the public sees them: no mobile number, email or license number."""

    specialization = serializers.CharField(source="doctor_detail.specialization")
    experience_years = serializers.IntegerField(source="doctor_detail.experience_years")
    consultation_fee = serializers.DecimalField(
        source="doctor_detail.consultation_fee", max_digits=10, decimal_places=2
    )
    location = serializers.CharField(source="doctor_detail.location")
    bio = serializers.CharField(source="doctor_detail.bio")

    class Meta:
        model = User
        # The directory reads exactly these columns.
        fields = list(DIRECTORY_COLUMNS)
        read_only_fields = fields

    def to_representation(self, instance):
        # Hand-written: the directory is the busiest public read (healthcare/api/formats.py).
        # Takes a row of `DoctorDirectory` (the list) or a doctor with their details.
        row = instance if isinstance(instance, dict) else _doctor_row(instance)
        return {
            "id": row["id"],
            "full_name": row["full_name"],
            "specialization": row["specialization"],
            "experience_years": row["experience_years"],
            "consultation_fee": money(row["consultation_fee"]),
            "location": row["location"],
            "bio": row["bio"],
        }


def _doctor_row(doctor: User) -> dict:
    """A doctor as the flat row the directory (`DoctorDirectory`) reads."""
    detail = doctor.doctor_detail
    return {
        "id": doctor.pk,
        "full_name": doctor.full_name,
        "specialization": detail.specialization,
        "experience_years": detail.experience_years,
        "consultation_fee": detail.consultation_fee,
        "location": detail.location,
        "bio": detail.bio,
    }


class DoctorPublicDetailOutputSerializer(DoctorPublicOutputSerializer):
    schedules = ScheduleOutputSerializer(many=True, read_only=True)

    class Meta(DoctorPublicOutputSerializer.Meta):
        fields = [*DoctorPublicOutputSerializer.Meta.fields, "schedules"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["schedules"] = ScheduleOutputSerializer(instance.schedules.all(), many=True).data
        return data


class SlotListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        # The clinic's zone looked up once for the page, not once per row (2.4 us a lookup,
        # Django's thread-local: a quarter of a row's time).
        zone = timezone.get_current_timezone()
        return [self.child.row_out(row, zone) for row in data]


class SlotOutputSerializer(serializers.Serializer):
    schedule = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    time = serializers.TimeField(read_only=True)
    starts_at = SlotInstantField(date="date", time="time")
    ends_at = SlotInstantField(date="date", time="time", end=True)
    available = serializers.BooleanField(read_only=True)

    class Meta:
        list_serializer_class = SlotListSerializer

    def to_representation(self, instance):
        return self.row_out(instance, timezone.get_current_timezone())

    def row_out(self, instance, zone):
        # Hand-written: slots are read before every booking (healthcare/api/formats.py).
        date, time = instance["date"], instance["time"]
        starts_at, ends_at = slot_instants_out(date, time, zone)
        return {
            "schedule": instance["schedule"],
            "date": date_out(date),
            "time": time_out(time),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "available": instance["available"],
        }


class SlotRangeInputSerializer(serializers.Serializer):
    """`date_from`/`date_to`, inclusive local dates; today to 7 days ahead by default."""

    date_from = dates.DateField(required=False)
    date_to = dates.DateField(required=False)
    # The strings `true`/`false` (anything else is a 400), as the doctors list takes them.
    available = serializers.ChoiceField(choices=["true", "false"], required=False)

    def validate(self, attrs):
        date_from = attrs.get("date_from") or timezone.localdate()
        date_to = attrs.get("date_to") or date_from + dt.timedelta(days=DEFAULT_SLOT_DAYS)
        if date_to < date_from:
            raise serializers.ValidationError({"date_to": ["date_to is before date_from."]})
        if (date_to - date_from).days > MAX_SLOT_RANGE_DAYS:
            raise serializers.ValidationError(
                {"date_to": [f"The range may span at most {MAX_SLOT_RANGE_DAYS + 1} days."]}
            )
        available = attrs.get("available")
        return {
            "date_from": date_from,
            "date_to": date_to,
            "available": None if available is None else available == "true",
        }


@extend_schema(
    tags=["doctors"],
    summary="List verified doctors, filtered and ordered",
    parameters=[
        # Validated as the strings `true`/`false` (anything else is a 400); a boolean to clients.
        OpenApiParameter(
            "available",
            OpenApiTypes.BOOL,
            description="`true`: doctors with at least one free slot a patient can book now "
            "(after the minimum notice, by the booking horizon); "
            "`false`: doctors with none. Left out: both.",
        ),
    ],
)
class DoctorListView(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = DoctorPublicOutputSerializer
    # Count and page in one query: the availability test is the costly part, run once.
    pagination_class = CountInPagePagination
    # Declares the query parameters (schema, browsable API's filter form); the directory's own
    # SQL applies them (`doctor_directory`).
    filterset_class = DoctorFilter

    def get_queryset(self):
        # What the browsable API's filter form and the schema inspect; the list reads `list`.
        return doctor_public_queryset()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(doctor_directory(filters=request.query_params))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["doctors"])
class DoctorDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Read one verified doctor with their upcoming schedules",
        responses=DoctorPublicDetailOutputSerializer,
    )
    def get(self, request, pk: int):
        doctor = doctor_public_get(doctor_id=pk)
        return Response(DoctorPublicDetailOutputSerializer(doctor).data)


@extend_schema(
    tags=["doctors"],
    summary="List a doctor's 30-minute slots in a date range, free and taken",
    parameters=[
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="Default: today."),
        OpenApiParameter(
            "date_to", OpenApiTypes.DATE, description="Default: date_from + 7 days; ≤ +30 days."
        ),
        OpenApiParameter(
            "available",
            OpenApiTypes.BOOL,
            description="`true`: free slots only; `false`: taken ones only. Left out: both.",
        ),
    ],
)
class DoctorSlotListView(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = SlotOutputSerializer
    filter_backends = []

    def get_queryset(self):
        # A computed list, not a queryset: the paginator pages it like any sequence.
        doctor_id = self.kwargs["pk"]
        params = SlotRangeInputSerializer(data=self.request.query_params)
        if doctor_id > MAX_ID or not params.is_valid():
            # A 404 comes before a 400; an id past the database's range names nobody (and must
            # not reach the schedules query).
            doctor_public_get(doctor_id=doctor_id, with_schedules=False)
            raise ValidationError(params.errors)
        # The public-doctor test rides in the schedules query; only an empty answer needs the
        # doctor looked up, to tell "no slots" from "no such public doctor" (404).
        # Patients (and anonymous visitors) are shown slots past the minimum notice; doctors and
        # admins may book any future slot, so they see those too.
        user = self.request.user
        staff = getattr(user, "is_doctor", False) or getattr(user, "is_admin", False)
        slots = doctor_slot_list(
            doctor_id=doctor_id,
            public_only=True,
            with_notice=not staff,
            **params.validated_data,
        )
        if not slots:
            doctor_public_get(doctor_id=doctor_id, with_schedules=False)
        return slots

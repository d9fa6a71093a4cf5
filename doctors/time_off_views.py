"""Time off of a doctor (the doctor's own; the admin-panel paths subclass these) and the clinic's
closures (public list here, admin CRUD in admin_panel). Rules: `doctors.time_off`."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from doctors.models import ClinicClosure, TimeOff
from doctors.scheduling_views import SignedInDoctorMixin
from doctors.serializers import (
    ClosureSerializer,
    TimeOffCreatedSerializer,
    TimeOffInputSerializer,
    TimeOffSerializer,
)
from doctors.time_off import time_off_create, time_off_delete
from healthcare.api.inputs import validated


@extend_schema_view(
    get=extend_schema(
        tags=["profile"],
        operation_id="profile_time_off_list",
        summary="List your time off",
    )
)
class TimeOffListView(SignedInDoctorMixin, ListAPIView):
    """GET the doctor's time off (by `date_from`, `id`); POST records one."""

    serializer_class = TimeOffSerializer
    filter_backends = []

    def get_queryset(self):
        doctor = self.get_doctor(self.request, **self.kwargs)
        return TimeOff.objects.filter(doctor=doctor).order_by("date_from", "id")

    @extend_schema(
        tags=["profile"],
        operation_id="profile_time_off_create",
        summary="Record time off; its free slots go (active appointments inside: 400, or "
        "cancelled when listed in cancel_appointments)",
        request=TimeOffInputSerializer,
        responses={201: TimeOffCreatedSerializer},
    )
    def post(self, request, **kwargs):
        doctor = self.get_doctor(request, **kwargs)
        data = validated(TimeOffInputSerializer, request.data)
        time_off, cancelled = time_off_create(doctor=doctor, actor=request.user, **data)
        body = {**TimeOffSerializer(time_off).data, "cancelled_appointments": cancelled}
        return Response(body, status=201)


class TimeOffDetailView(SignedInDoctorMixin, APIView):
    def get_time_off_id(self, kwargs):
        return kwargs["pk"]

    @extend_schema(
        tags=["profile"],
        operation_id="profile_time_off_destroy",
        summary="Delete time off; the dates it covered get their generated schedules back",
        responses={204: None},
    )
    def delete(self, request, **kwargs):
        doctor = self.get_doctor(request, **kwargs)
        time_off = get_object_or_404(TimeOff, pk=self.get_time_off_id(kwargs), doctor=doctor)
        time_off_delete(time_off=time_off, actor=request.user)
        return Response(status=204)


@extend_schema_view(
    get=extend_schema(
        tags=["clinic"],
        operation_id="clinic_closures_list",
        summary="List the dates the clinic is closed",
    )
)
class ClinicClosureListView(ListAPIView):
    """The clinic's closures, public (by date, id)."""

    permission_classes = [AllowAny]
    serializer_class = ClosureSerializer
    filter_backends = []
    queryset = ClinicClosure.objects.order_by("date", "id")

"""Weekly working hours of a doctor: the doctor's own (profile) and, for admins, any doctor's.

The admin-panel paths subclass these views with another way to find the doctor; the rules live
in `doctors.services.working_hours_replace`.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from doctors.models import WorkingHours
from doctors.serializers import WorkingHoursSerializer
from doctors.services import MAX_WORKING_HOURS, working_hours_replace
from healthcare.api.inputs import validated
from healthcare.api.permissions import IsDoctor


def working_hours_list(*, doctor) -> list[dict]:
    """The doctor's weekly hours, ordered by weekday and start time, as the API shows them."""
    return WorkingHoursSerializer(
        WorkingHours.objects.filter(doctor=doctor).order_by("weekday", "start_time", "id"),
        many=True,
    ).data


class SignedInDoctorMixin:
    # The signed-in doctor's own hours or time off; the admin-panel subclasses override both
    # attributes to reach any doctor by the path's id. (A comment, not a docstring: the schema
    # would show it as the description of every operation of the views that use it.)

    permission_classes = [IsDoctor]

    def get_doctor(self, request, **kwargs):
        return request.user


class WorkingHoursView(SignedInDoctorMixin, APIView):
    """GET the full list; PUT replaces it (a JSON array) and regenerates the schedules."""

    @extend_schema(
        tags=["profile"],
        operation_id="profile_working_hours_retrieve",
        summary="Read your weekly working hours",
        responses=WorkingHoursSerializer(many=True),
    )
    def get(self, request, **kwargs):
        return Response(working_hours_list(doctor=self.get_doctor(request, **kwargs)))

    @extend_schema(
        tags=["profile"],
        operation_id="profile_working_hours_update",
        summary="Replace your weekly working hours (the full list); schedules follow",
        request=WorkingHoursSerializer(many=True),
        responses=WorkingHoursSerializer(many=True),
    )
    def put(self, request, **kwargs):
        doctor = self.get_doctor(request, **kwargs)
        data = validated(
            WorkingHoursSerializer, request.data, many=True, max_length=MAX_WORKING_HOURS
        )
        working_hours_replace(doctor=doctor, items=data, actor=request.user)
        return Response(working_hours_list(doctor=doctor))

"""Admins manage any doctor's weekly working hours, with the same rules as the doctor's own."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema

from doctors.scheduling_views import WorkingHoursView
from doctors.serializers import WorkingHoursSerializer
from healthcare.api.permissions import IsAdminRole
from users.models import Role, User


def _doctor(pk: int) -> User:
    # Any doctor account (unverified and inactive ones too), as the admin panel's doctors list.
    return get_object_or_404(User, pk=pk, role=Role.DOCTOR)


class DoctorWorkingHoursAdminView(WorkingHoursView):
    permission_classes = [IsAdminRole]

    def get_doctor(self, request, **kwargs):
        return _doctor(kwargs["pk"])

    @extend_schema(
        tags=["admin-panel"],
        operation_id="admin_panel_doctors_working_hours_retrieve",
        summary="Read a doctor's weekly working hours",
        responses=WorkingHoursSerializer(many=True),
    )
    def get(self, request, **kwargs):
        return super().get(request, **kwargs)

    @extend_schema(
        tags=["admin-panel"],
        operation_id="admin_panel_doctors_working_hours_update",
        summary="Replace a doctor's weekly working hours (the full list); schedules follow",
        request=WorkingHoursSerializer(many=True),
        responses=WorkingHoursSerializer(many=True),
    )
    def put(self, request, **kwargs):
        return super().put(request, **kwargs)

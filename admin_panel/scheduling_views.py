"""Admins manage any doctor's weekly working hours and time off, with the doctor's own rules."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from doctors.models import ClinicClosure
from doctors.scheduling_views import WorkingHoursView
from doctors.serializers import ClosureInputSerializer, ClosureSavedSerializer, ClosureSerializer
from doctors.time_off import closure_create, closure_delete, closure_update
from doctors.time_off_views import ClinicClosureListView, TimeOffDetailView, TimeOffListView
from healthcare.api.inputs import validated
from healthcare.api.permissions import IsAdminRole
from users.models import Role, User


class AnyDoctorMixin:
    # An admin reaches any doctor account (unverified and inactive ones too, as the admin panel's
    # doctors list) by the path's `pk`, where the doctor's own views use the signed-in doctor.
    # A comment, not a docstring: the schema would show it as every operation's description.
    permission_classes = [IsAdminRole]

    def get_doctor(self, request, **kwargs):
        return get_object_or_404(User, pk=kwargs["pk"], role=Role.DOCTOR)


def _as_admin_operation(operation_id: str, summary: str):
    """The doctor's (or the public) operation under the admin panel's tag, id and words: its
    request and responses stay the inherited view's."""
    return extend_schema(tags=["admin-panel"], operation_id=operation_id, summary=summary)


@extend_schema_view(
    get=_as_admin_operation(
        "admin_panel_doctors_working_hours_retrieve", "Read a doctor's weekly working hours"
    ),
    put=_as_admin_operation(
        "admin_panel_doctors_working_hours_update",
        "Replace a doctor's weekly working hours (the full list); schedules follow",
    ),
)
class DoctorWorkingHoursAdminView(AnyDoctorMixin, WorkingHoursView):
    pass


@extend_schema_view(
    get=_as_admin_operation("admin_panel_doctors_time_off_list", "List a doctor's time off"),
    post=_as_admin_operation(
        "admin_panel_doctors_time_off_create",
        "Record a doctor's time off (same rules as the doctor's own)",
    ),
)
class DoctorTimeOffAdminView(AnyDoctorMixin, TimeOffListView):
    pass


@extend_schema_view(
    delete=_as_admin_operation(
        "admin_panel_doctors_time_off_destroy",
        "Delete a doctor's time off; the dates it covered are regenerated",
    ),
)
class DoctorTimeOffDetailAdminView(AnyDoctorMixin, TimeOffDetailView):
    def get_time_off_id(self, kwargs):
        return kwargs["time_off_id"]


def _closure_write_operation(operation_id: str, summary: str, status: int = 200):
    """A closure's POST, PUT or PATCH: the same body in, and out the closure with the
    appointments its date cancelled."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=ClosureInputSerializer,
        responses={status: ClosureSavedSerializer},
    )


def _closure_saved(closure, cancelled: list[int]) -> dict:
    """A written closure as `ClosureSavedSerializer` documents it: the closure and the ids of
    the appointments its date cancelled."""
    return {**ClosureSerializer(closure).data, "cancelled_appointments": cancelled}


@extend_schema(tags=["admin-panel"])
@extend_schema_view(
    get=_as_admin_operation("admin_panel_closures_list", "List the clinic's closures"),
)
class ClosureAdminListView(ClinicClosureListView):
    """The clinic's closures (by date, id); POST closes a date for every doctor."""

    permission_classes = [IsAdminRole]

    @_closure_write_operation(
        "admin_panel_closures_create",
        "Close the clinic on a date: whole-day time off for every doctor",
        status=201,
    )
    def post(self, request, *args, **kwargs):
        data = validated(ClosureInputSerializer, request.data)
        closure, cancelled = closure_create(actor=request.user, **data)
        return Response(_closure_saved(closure, cancelled), status=201)


@extend_schema(tags=["admin-panel"])
class ClosureAdminDetailView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        operation_id="admin_panel_closures_retrieve",
        summary="Read a closure",
        responses=ClosureSerializer,
    )
    def get(self, request, pk: int):
        return Response(ClosureSerializer(get_object_or_404(ClinicClosure, pk=pk)).data)

    def _save(self, request, pk: int, *, partial: bool) -> Response:
        closure = get_object_or_404(ClinicClosure, pk=pk)
        data = validated(ClosureInputSerializer, request.data, partial=partial)
        closure, cancelled = closure_update(closure=closure, actor=request.user, **data)
        return Response(_closure_saved(closure, cancelled))

    @_closure_write_operation(
        "admin_panel_closures_update",
        "Change a closure (a new date is closed as on create, the old one reopened)",
    )
    def put(self, request, pk: int):
        return self._save(request, pk, partial=False)

    @_closure_write_operation(
        "admin_panel_closures_partial_update", "Change some fields of a closure"
    )
    def patch(self, request, pk: int):
        return self._save(request, pk, partial=True)

    @extend_schema(
        operation_id="admin_panel_closures_destroy",
        summary="Reopen the clinic on a closed date (its generated schedules come back)",
        responses={204: None},
    )
    def delete(self, request, pk: int):
        closure_delete(closure=get_object_or_404(ClinicClosure, pk=pk), actor=request.user)
        return Response(status=204)

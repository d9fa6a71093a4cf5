"""Admin-panel endpoints: managed accounts, bookings, reports and the audit trail."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from admin_panel import selectors, services
from admin_panel.filters import (
    AppointmentAdminFilter,
    AuditLogFilter,
    DoctorAdminFilter,
    PatientAdminFilter,
)
from admin_panel.renderers import ReportCSVRenderer
from admin_panel.serializers import (
    AppointmentAdminCreateInputSerializer,
    AppointmentAdminOutputSerializer,
    AppointmentAdminUpdateInputSerializer,
    AuditLogEntryOutputSerializer,
    DoctorAdminInputSerializer,
    DoctorAdminOutputSerializer,
    DoctorAdminUpdateInputSerializer,
    PatientAdminInputSerializer,
    PatientAdminOutputSerializer,
    PatientAdminUpdateInputSerializer,
    ReportDoctorRowSerializer,
    ReportOutputSerializer,
    ReportQuerySerializer,
)
from appointments.models import AppointmentStatus
from appointments.services import appointment_book, appointment_cancel, appointment_update
from healthcare.api.audit import PatientRecordReadMixin
from healthcare.api.inputs import validated
from healthcare.api.pagination import StandardPagination
from healthcare.api.permissions import IsAdminRole
from users.models import Role, User


def _summaries(**summaries: str) -> dict:
    """`extend_schema_view` arguments: one summary per viewset action."""
    return {action: extend_schema(summary=summary) for action, summary in summaries.items()}


def _service_crud_schema(**summaries: str):
    """Decorates a `ServiceCrudViewSet` for the schema: the admin panel's tag, one summary per
    action, and the request bodies of its `input_serializer_class` (create) and
    `update_serializer_class` (update); each answer is the viewset's `serializer_class`, as
    drf-spectacular infers it."""

    def decorate(viewset):
        bodies = {
            "create": {"request": viewset.input_serializer_class},
            "update": {"request": viewset.update_serializer_class},
            "partial_update": {"request": viewset.update_serializer_class},
        }
        actions = {
            action: extend_schema(summary=summary, **bodies.get(action, {}))
            for action, summary in summaries.items()
        }
        return extend_schema(tags=["admin-panel"])(extend_schema_view(**actions)(viewset))

    return decorate


def _account_summaries(noun: str, **overrides: str) -> dict:
    """The summaries of a role's managed accounts: the same words for every role, but where
    `overrides` says more for one."""
    return {
        "list": f"List {noun} accounts (inactive ones included)",
        "create": f"Create a {noun} account",
        "retrieve": f"Read a {noun} account",
        "update": f"Replace a {noun} account's details",
        "partial_update": f"Change some of a {noun} account's details",
        "destroy": f"Deactivate a {noun} account (its history is kept)",
        **overrides,
    }


class AdminOnlyMixin:
    # Anonymous → 401 (DRF answers NotAuthenticated when nobody signed in), others → 403.
    permission_classes = [IsAdminRole]


class ServiceCrudViewSet(AdminOnlyMixin, viewsets.ReadOnlyModelViewSet):
    # Writes go through the services (each subclass's `create`, `_update` and `destroy`), read
    # through `input_serializer_class` and `update_serializer_class` (`_service_crud_schema`
    # documents the same two); the answer is the saved row read again through `get_queryset`,
    # with the list's joins and annotations. (A comment, not a docstring: the schema would show
    # it as a description.)

    def _render(self, obj, status_code=status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(obj).data, status=status_code)

    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)


class ManagedUserViewSet(ServiceCrudViewSet):
    """Admin CRUD of one role's accounts; DELETE deactivates (history is kept)."""

    role: str = ""
    filterset_class = PatientAdminFilter
    input_serializer_class = PatientAdminInputSerializer
    update_serializer_class = PatientAdminUpdateInputSerializer

    def get_queryset(self):
        return selectors.managed_user_list(role=self.role)

    def create(self, request, *args, **kwargs):
        data = validated(self.input_serializer_class, request.data)
        user = services.admin_user_create(actor=request.user, role=self.role, data=data)
        return self._render(user, status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool):
        user = self.get_object()
        data = validated(self.update_serializer_class, request.data, partial=partial)
        user = services.admin_user_update(actor=request.user, user=user, data=data)
        return self._render(user)

    def destroy(self, request, *args, **kwargs):
        services.admin_user_deactivate(actor=request.user, user=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@_service_crud_schema(
    **_account_summaries(
        "doctor",
        list="List doctor accounts (unverified and inactive ones included)",
        create="Create a doctor account (verified)",
        partial_update="Change some of a doctor account's details (e.g. verify it)",
    )
)
class DoctorAdminViewSet(ManagedUserViewSet):
    role = Role.DOCTOR
    serializer_class = DoctorAdminOutputSerializer
    filterset_class = DoctorAdminFilter
    input_serializer_class = DoctorAdminInputSerializer
    update_serializer_class = DoctorAdminUpdateInputSerializer


@_service_crud_schema(**_account_summaries("patient"))
class PatientAdminViewSet(PatientRecordReadMixin, ManagedUserViewSet):
    role = Role.PATIENT
    serializer_class = PatientAdminOutputSerializer
    audit_endpoint = "admin-panel/patients"
    audit_object_type = "user"


@_service_crud_schema(
    list="List appointments, newest first",
    create="Book an appointment for a patient",
    retrieve="Read an appointment",
    update="Set an appointment's status and notes",
    partial_update="Set an appointment's status or notes",
    destroy="Cancel an appointment (rows are never removed)",
)
class AppointmentAdminViewSet(PatientRecordReadMixin, ServiceCrudViewSet):
    """Admin CRUD of bookings through the booking services; DELETE cancels, never removes."""

    serializer_class = AppointmentAdminOutputSerializer
    filterset_class = AppointmentAdminFilter
    input_serializer_class = AppointmentAdminCreateInputSerializer
    update_serializer_class = AppointmentAdminUpdateInputSerializer
    audit_endpoint = "admin-panel/appointments"
    audit_object_type = "appointment"

    def get_queryset(self):
        return selectors.appointment_admin_list()

    def paginate_queryset(self, queryset):
        # Unfiltered (the landing page), the total is kept by the report summaries: no
        # COUNT(*) over every booking on each page (about 25 ms at 500k bookings).
        params = self.request.query_params
        if any(name in params for name in AppointmentAdminFilter.base_filters):
            return super().paginate_queryset(queryset)
        return self.paginator.paginate_queryset(
            queryset, self.request, view=self, count=selectors.appointment_total()
        )

    def create(self, request, *args, **kwargs):
        data = validated(self.input_serializer_class, request.data)
        patient = User.objects.filter(pk=data["patient"], role=Role.PATIENT, is_active=True).first()
        if patient is None:
            raise ValidationError({"patient": ["No active patient with this id."]})
        extra = {key: data[key] for key in ("status", "notes") if key in data}
        appointment = appointment_book(
            patient=patient,
            doctor_id=data["doctor"],
            schedule_id=data["schedule"],
            appointment_time=data["appointment_time"],
            actor=request.user,
            **extra,
        )
        return self._render(appointment, status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool):
        appointment = self.get_object()
        data = validated(self.update_serializer_class, request.data, partial=partial)
        appointment = appointment_update(
            appointment=appointment, actor=request.user, data=dict(data)
        )
        return self._render(appointment)

    def destroy(self, request, *args, **kwargs):
        appointment = self.get_object()
        # DELETE means "cancel": deleting an already cancelled booking is a no-op, not an error.
        if appointment.status != AppointmentStatus.CANCELLED:
            appointment_cancel(appointment=appointment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["admin-panel"])
@extend_schema_view(
    **_summaries(list="List the audit trail, newest first", retrieve="Read one audit entry")
)
class AuditLogViewSet(
    AdminOnlyMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The audit trail, read-only: there is no way to write, change or delete an entry here."""

    serializer_class = AuditLogEntryOutputSerializer
    filterset_class = AuditLogFilter

    def get_queryset(self):
        return selectors.audit_log_list()


class JSONErrorsMixin:
    """Errors stay JSON when the success response would be CSV (`?format=csv`, the export)."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and renderer is not None and renderer.format == "csv":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


REPORT_CSV_DESCRIPTION = (
    "One row per doctor with a booking in the range, by name, under the header "
    "`doctor_id,doctor_name,total_appointments,completed_appointments,revenue`."
)
REPORT_DATE_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Inclusive; default: all time."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Inclusive; default: all time."),
]


@extend_schema(tags=["admin-panel"])
class ReportView(JSONErrorsMixin, AdminOnlyMixin, PatientRecordReadMixin, APIView):
    """Appointments and revenue per doctor and per patient over an inclusive date range.

    `?format=csv` still answers the per-doctor rows as CSV, for clients written before the
    export had its own operation; the schema documents only the JSON here (one type per
    operation for generated clients) and the CSV at `reports/export/`.
    """

    renderer_classes = [*APIView.renderer_classes, ReportCSVRenderer]
    audit_endpoint = "admin-panel/reports"

    @extend_schema(
        summary="Appointments and revenue per doctor and per patient over a date range",
        parameters=[
            *REPORT_DATE_PARAMETERS,
            OpenApiParameter("page", OpenApiTypes.INT, description="Page of `patients`."),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description="Patients per page (≤ 100)."
            ),
            # `?format=csv` still works but is not this operation's: see the docstring.
            OpenApiParameter("format", exclude=True),
        ],
        responses={(200, "application/json"): ReportOutputSerializer},
    )
    def get(self, request):
        query = validated(ReportQuerySerializer, request.query_params)
        date_from = query.get("date_from")
        date_to = query.get("date_to")
        # Pages the report's `patients`; the total comes from `report_patients_count`, not from
        # a COUNT(*) over the walk in name order.
        paginator = StandardPagination()
        report = selectors.report_get(
            date_from=date_from,
            date_to=date_to,
            page_patients=lambda rows, count: paginator.paginate_queryset(
                rows, request, self, count=count
            ),
        )
        data = {
            **vars(report),
            "patients_count": paginator.page.paginator.count,
            "patients_next": paginator.get_next_link(),
            "patients_previous": paginator.get_previous_link(),
        }
        response = Response(ReportOutputSerializer(data).data)
        if (
            getattr(request, "accepted_renderer", None)
            and request.accepted_renderer.format == "csv"
        ):
            response["Content-Disposition"] = 'attachment; filename="report.csv"'
        return response


class AlwaysFirstRenderer(BaseContentNegotiation):
    """The view's one format whatever the `Accept` header or `?format=` says (never a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(tags=["admin-panel"])
class ReportExportView(JSONErrorsMixin, AdminOnlyMixin, PatientRecordReadMixin, APIView):
    """The report's per-doctor rows as CSV: the same rows, filters and audit entry as
    `?format=csv` on the report, as an operation of its own (one response type)."""

    renderer_classes = [ReportCSVRenderer]
    content_negotiation_class = AlwaysFirstRenderer
    audit_endpoint = "admin-panel/reports"

    @extend_schema(
        operation_id="admin_panel_reports_export",
        summary="Export the report's per-doctor rows as CSV",
        parameters=REPORT_DATE_PARAMETERS,
        responses={
            (200, "text/csv"): OpenApiResponse(
                response=OpenApiTypes.STR, description=REPORT_CSV_DESCRIPTION
            )
        },
    )
    def get(self, request):
        query = validated(ReportQuerySerializer, request.query_params)
        rows = selectors.report_per_doctor(
            date_from=query.get("date_from"),
            date_to=query.get("date_to"),
        )
        data = {"appointments_per_doctor": ReportDoctorRowSerializer(rows, many=True).data}
        return Response(data, headers={"Content-Disposition": 'attachment; filename="report.csv"'})

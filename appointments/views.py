"""Booking endpoints: book, read, admin edit, cancel, and the caller's own appointments."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments import services
from appointments.idempotency import idempotent
from appointments.models import AppointmentStatus
from appointments.selectors import appointment_list, appointment_rows, appointment_visible_list
from appointments.serializers import (
    AppointmentBookInputSerializer,
    AppointmentOutputSerializer,
    AppointmentReasonInputSerializer,
    AppointmentRescheduleInputSerializer,
    AppointmentUpdateInputSerializer,
)
from appointments.throttles import BookRateThrottle
from healthcare.api.inputs import validated
from healthcare.api.permissions import IsPatient
from healthcare.api.throttling import UserRateThrottle
from healthcare.events import emit


def _render(appointment_id: int, user) -> dict:
    appointment = appointment_visible_list(user=user).get(pk=appointment_id)
    return AppointmentOutputSerializer(appointment).data


@extend_schema(tags=["appointments"])
class AppointmentBookView(APIView):
    permission_classes = [IsPatient]
    throttle_classes = [UserRateThrottle, BookRateThrottle]

    @extend_schema(
        operation_id="appointments_book",
        summary="Book a free slot of a doctor's schedule (patients)",
        request=AppointmentBookInputSerializer,
        responses={201: AppointmentOutputSerializer},
    )
    @idempotent
    def post(self, request):
        data = validated(AppointmentBookInputSerializer, request.data)
        booking = services.appointment_book(
            patient=request.user,
            doctor_id=data["doctor"],
            schedule_id=data["schedule"],
            appointment_time=data["appointment_time"],
            notes=data["notes"],
            actor=request.user,
        )
        # The service's booking carries its patient and doctor: rendered without a re-read.
        return Response(AppointmentOutputSerializer(booking).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["appointments"])
class AppointmentDetailView(APIView):
    def get_object(self):
        # Narrowed to what the caller may see: anyone else's appointment is a 404, not a 403.
        return get_object_or_404(
            appointment_visible_list(user=self.request.user), pk=self.kwargs["pk"]
        )

    @extend_schema(
        summary="Read one appointment (its patient, its doctor, admins)",
        responses=AppointmentOutputSerializer,
    )
    def get(self, request, pk: int):
        appointment = self.get_object()
        if request.user.is_admin:
            emit("patient_record_read", actor=request.user, obj=appointment)
        return Response(AppointmentOutputSerializer(appointment).data)

    @extend_schema(
        summary="Set an appointment's status or notes (admins)",
        request=AppointmentUpdateInputSerializer,
        responses=AppointmentOutputSerializer,
    )
    def patch(self, request, pk: int):
        appointment = self.get_object()
        if not request.user.is_admin:
            raise PermissionDenied
        data = validated(AppointmentUpdateInputSerializer, request.data)
        services.appointment_update(appointment=appointment, actor=request.user, data=data)
        return Response(_render(appointment.pk, request.user))


@extend_schema(tags=["appointments"])
class AppointmentCancelView(APIView):
    @extend_schema(
        operation_id="appointments_cancel",
        summary="Cancel an appointment; its slot is free again",
        description="Its patient (within the cut-off: reason `patient`), its doctor (reason "
        "`declined`) or an admin (reason `admin`). The optional `reason` is kept as "
        "`cancellation_note`.",
        request=AppointmentReasonInputSerializer,
        responses=AppointmentOutputSerializer,
    )
    @idempotent
    def post(self, request, pk: int):
        appointment = get_object_or_404(appointment_visible_list(user=request.user), pk=pk)
        data = validated(AppointmentReasonInputSerializer, request.data)
        services.appointment_cancel(
            appointment=appointment, actor=request.user, note=data["reason"]
        )
        return Response(_render(appointment.pk, request.user))


@extend_schema(tags=["appointments"])
class AppointmentRescheduleView(APIView):
    def get_throttles(self):
        # THROTTLE_BOOK counts a patient's bookings and reschedules alike (contract v1.1).
        throttles = [UserRateThrottle()]
        if getattr(self.request.user, "is_patient", False):
            throttles.append(BookRateThrottle())
        return throttles

    @extend_schema(
        operation_id="appointments_reschedule",
        summary="Move an appointment to another slot of the same doctor",
        description="Its patient (within the cut-off), its doctor or an admin. One transaction: "
        "a new appointment under every booking rule (fee kept; `pending` when the patient "
        "moves it, else the old status), the old one cancelled with reason `rescheduled`, "
        "linked by `rescheduled_from`/`rescheduled_to`. 201 with the new appointment.",
        request=AppointmentRescheduleInputSerializer,
        responses={201: AppointmentOutputSerializer},
    )
    @idempotent
    def post(self, request, pk: int):
        appointment = get_object_or_404(appointment_visible_list(user=request.user), pk=pk)
        data = validated(AppointmentRescheduleInputSerializer, request.data)
        new = services.appointment_reschedule(
            appointment=appointment,
            actor=request.user,
            schedule_id=data["schedule"],
            appointment_time=data["appointment_time"],
        )
        return Response(AppointmentOutputSerializer(new).data, status=status.HTTP_201_CREATED)


class AppointmentActionView(APIView):
    """A lifecycle action of the appointment's doctor or an admin (`services.TRANSITIONS`)."""

    action: str = ""
    takes_reason = False

    @idempotent
    def post(self, request, pk: int):
        # Someone else's appointment is a 404; a patient calling a doctor's action on their own
        # appointment is the service's 403.
        appointment = get_object_or_404(appointment_visible_list(user=request.user), pk=pk)
        note = None
        if self.takes_reason:
            note = validated(AppointmentReasonInputSerializer, request.data)["reason"]
        services.appointment_transition(
            appointment=appointment, actor=request.user, action=self.action, note=note
        )
        return Response(_render(appointment.pk, request.user))


def _action_view(action: str, operation: str, summary: str, description: str, takes_reason=False):
    schema = extend_schema(
        operation_id=f"appointments_{operation}",
        summary=summary,
        description=description,
        request=AppointmentReasonInputSerializer if takes_reason else None,
        responses=AppointmentOutputSerializer,
    )

    def post(self, request, pk: int):
        return AppointmentActionView.post(self, request, pk)

    view = type(
        f"Appointment{operation.title().replace('_', '')}View",
        (AppointmentActionView,),
        {"action": action, "takes_reason": takes_reason, "post": schema(post)},
    )
    return extend_schema(tags=["appointments"])(view)


AppointmentConfirmView = _action_view(
    "confirm",
    "confirm",
    "Confirm a pending appointment (its doctor, admins)",
    "`pending` → `confirmed`.",
)
AppointmentDeclineView = _action_view(
    "decline",
    "decline",
    "Decline an appointment (its doctor, admins)",
    "`pending`/`confirmed` → `cancelled` with reason `declined`; the optional `reason` is kept "
    "as `cancellation_note`.",
    takes_reason=True,
)
AppointmentCheckInView = _action_view(
    "check_in",
    "check_in",
    "Check the patient in (its doctor, admins)",
    "`pending`/`confirmed` → `checked_in`, only on the appointment's date.",
)
AppointmentCompleteView = _action_view(
    "complete",
    "complete",
    "Complete an appointment (its doctor, admins)",
    "`pending`/`confirmed`/`checked_in` → `completed`, only at or after its start.",
)
AppointmentNoShowView = _action_view(
    "no_show",
    "no_show",
    "Mark the patient as not having come (its doctor, admins)",
    "`pending`/`confirmed` → `no_show`, only at or after its start.",
)


@extend_schema(
    tags=["appointments"],
    summary="List your appointments (a patient's bookings, or a doctor's appointments)",
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in AppointmentStatus]),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="Inclusive local date."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="Inclusive local date."),
    ],
)
class MyAppointmentListView(ListAPIView):
    serializer_class = AppointmentOutputSerializer
    # The selector filters (AppointmentFilter): a malformed value is its 400.
    filter_backends = []

    def get_queryset(self):
        bookings = appointment_list(user=self.request.user, filters=self.request.query_params)
        # The page's total from the bookings alone, without the rows' two name joins.
        self.total = bookings
        return appointment_rows(bookings)

    def paginate_queryset(self, queryset):
        return self.paginator.paginate_queryset(
            queryset, self.request, view=self, count=self.total.count()
        )

"""Notification endpoints: a user's preferences, and the admins' view of the outbox."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from healthcare.api.permissions import IsAdminRole
from healthcare.events import emit
from notifications import selectors, services
from notifications.filters import NotificationFilter
from notifications.serializers import NotificationOutputSerializer, PreferencesSerializer


@extend_schema(tags=["notifications"])
class NotificationPreferencesView(APIView):
    """Which channels (email, SMS) and whether reminders reach the signed-in user."""

    @extend_schema(
        operation_id="profile_notifications_retrieve",
        summary="Read your notification preferences",
        responses=PreferencesSerializer,
    )
    def get(self, request):
        return Response(PreferencesSerializer(selectors.preferences_get(user=request.user)).data)

    @extend_schema(
        operation_id="profile_notifications_partial_update",
        summary="Turn email, SMS or reminders on or off",
        request=PreferencesSerializer,
        responses=PreferencesSerializer,
    )
    def patch(self, request):
        serializer = PreferencesSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        prefs = services.preferences_update(user=request.user, data=serializer.validated_data)
        return Response(PreferencesSerializer(prefs).data)


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(
        operation_id="admin_panel_notifications_list",
        summary="List every notification, newest first",
    ),
    retrieve=extend_schema(
        operation_id="admin_panel_notifications_retrieve", summary="Read one notification"
    ),
)
class NotificationAdminViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The outbox, read-only but for a resend; each request counts as a patient-record read."""

    permission_classes = [IsAdminRole]
    serializer_class = NotificationOutputSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notification_list()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # After authentication and permissions: only admins' requests are recorded.
        pk = kwargs.get("pk")
        emit(
            "patient_record_read",
            actor=request.user,
            object_type="notification",
            object_id=int(pk) if pk is not None and str(pk).isdigit() else None,
            details={"endpoint": "admin-panel/notifications"},
        )

    @extend_schema(
        operation_id="admin_panel_notifications_retry",
        summary="Send a notification again",
        request=None,
        responses=NotificationOutputSerializer,
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        notification = services.notification_retry(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

"""Notification endpoints: a user's preferences, the admins' view of the outbox, webhooks,
calendar feeds."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from healthcare.api.audit import PatientRecordReadMixin
from healthcare.api.inputs import validated
from healthcare.api.permissions import IsAdminRole
from notifications import calendar, selectors, services, webhook_services
from notifications.filters import NotificationFilter, WebhookDeliveryFilter
from notifications.models import WEBHOOK_TYPES, WebhookDeliveryStatus
from notifications.serializers import (
    NotificationOutputSerializer,
    PreferencesSerializer,
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
)


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
        data = validated(PreferencesSerializer, request.data, partial=True)
        prefs = services.preferences_update(user=request.user, data=data)
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
    PatientRecordReadMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The outbox, read-only but for a resend; each request counts as a patient-record read."""

    permission_classes = [IsAdminRole]
    serializer_class = NotificationOutputSerializer
    filterset_class = NotificationFilter
    audit_endpoint = "admin-panel/notifications"
    audit_object_type = "notification"

    def get_queryset(self):
        return selectors.notification_list()

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


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(
        operation_id="admin_panel_webhooks_list", summary="List the webhooks, newest first"
    ),
    create=extend_schema(
        operation_id="admin_panel_webhooks_create",
        summary="Add a webhook (its secret is shown in this answer only)",
        responses={201: WebhookCreatedSerializer},
    ),
    retrieve=extend_schema(operation_id="admin_panel_webhooks_retrieve", summary="Read a webhook"),
    update=extend_schema(operation_id="admin_panel_webhooks_update", summary="Replace a webhook"),
    partial_update=extend_schema(
        operation_id="admin_panel_webhooks_partial_update", summary="Change a webhook"
    ),
    destroy=extend_schema(
        operation_id="admin_panel_webhooks_destroy",
        summary="Delete a webhook and its deliveries",
    ),
)
class WebhookAdminViewSet(PatientRecordReadMixin, viewsets.ModelViewSet):
    """The clinic's webhooks; reads count as patient-record reads (deliveries carry bookings)."""

    permission_classes = [IsAdminRole]
    serializer_class = WebhookSerializer
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    audit_endpoint = "admin-panel/webhooks"
    audit_object_type = "webhook"
    audit_methods = ("GET", "HEAD")

    def get_queryset(self):
        return selectors.webhook_list()

    def perform_create(self, serializer):
        serializer.instance = webhook_services.webhook_create(
            actor=self.request.user, **serializer.validated_data
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(WebhookCreatedSerializer(serializer.instance).data, status=201)

    def perform_update(self, serializer):
        serializer.instance = webhook_services.webhook_update(
            actor=self.request.user, webhook=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        webhook_services.webhook_delete(actor=self.request.user, webhook=instance)

    @extend_schema(
        operation_id="admin_panel_webhooks_deliveries_list",
        summary="List a webhook's deliveries, newest first",
        responses=WebhookDeliverySerializer(many=True),
        parameters=[
            OpenApiParameter("status", str, enum=[s.value for s in WebhookDeliveryStatus]),
            OpenApiParameter("type", str, enum=list(WEBHOOK_TYPES)),
        ],
    )
    @action(detail=True, methods=["get"], serializer_class=WebhookDeliverySerializer)
    def deliveries(self, request, pk=None):
        webhook = self.get_object()
        filterset = WebhookDeliveryFilter(
            request.query_params, queryset=selectors.webhook_delivery_list(webhook=webhook)
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        operation_id="admin_panel_webhooks_deliveries_redeliver",
        summary="Send a webhook delivery again (same id and body, signed anew)",
        request=None,
        responses=WebhookDeliverySerializer,
        parameters=[OpenApiParameter("delivery_id", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]+)/redeliver",
        serializer_class=WebhookDeliverySerializer,
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        webhook = self.get_object()
        delivery = get_object_or_404(
            selectors.webhook_delivery_list(webhook=webhook), pk=int(delivery_id)
        )
        delivery = webhook_services.webhook_delivery_redeliver(delivery=delivery)
        return Response(WebhookDeliverySerializer(delivery).data)


class CalendarUrlSerializer(serializers.Serializer):
    url = serializers.URLField(read_only=True)


def _calendar_url(request, feed) -> dict:
    path = reverse("calendar-feed", kwargs={"token": calendar.calendar_token(feed)})
    return {"url": request.build_absolute_uri(path)}


@extend_schema(tags=["calendar"])
class CalendarUrlView(APIView):
    """The signed-in user's secret calendar URL."""

    @extend_schema(
        operation_id="profile_calendar_retrieve",
        summary="Read your calendar feed's URL",
        responses=CalendarUrlSerializer,
    )
    def get(self, request):
        return Response(_calendar_url(request, calendar.calendar_feed_get(user=request.user)))


@extend_schema(tags=["calendar"])
class CalendarRotateView(APIView):
    """A new secret calendar URL; the old one answers 404 from now on."""

    @extend_schema(
        operation_id="profile_calendar_rotate",
        summary="Replace your calendar feed's URL (the old one stops working)",
        request=None,
        responses=CalendarUrlSerializer,
    )
    def post(self, request):
        return Response(_calendar_url(request, calendar.calendar_feed_rotate(user=request.user)))


@extend_schema(tags=["calendar"])
class CalendarFeedView(APIView):
    """The calendar itself: the secret in the URL is the only credential."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_feed_retrieve",
        summary="Your appointments as an iCalendar (RFC 5545) feed",
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def get(self, request, token):
        feed = calendar.calendar_feed_find(token)
        if feed is None:
            raise Http404
        body = calendar.calendar_render(
            user=feed.user, appointments=calendar.calendar_appointments(user=feed.user)
        )
        return HttpResponse(body, content_type="text/calendar; charset=utf-8")

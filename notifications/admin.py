"""The outbox in the Django admin: read-only rows, with a "send again" action."""

from django.contrib import admin, messages

from healthcare.admin import ReadOnlyAdminMixin
from notifications.models import (
    NOTIFICATION_FIELDS,
    WEBHOOK_DELIVERY_FIELDS,
    Notification,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
)
from notifications.services import notification_retry
from notifications.webhook_services import webhook_delivery_redeliver


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [field for field in NOTIFICATION_FIELDS if field != "last_error"]
    list_filter = ["status", "channel", "event"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "appointment"]
    readonly_fields = [*NOTIFICATION_FIELDS[1:], "claimed_until"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected notifications again")
    def send_again(self, request, queryset):
        for notification in queryset:
            notification_retry(notification=notification)
        messages.success(request, f"{queryset.count()} notification(s) queued again.")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "sms", "reminders"]
    raw_id_fields = ["user"]


class _ReadOnly(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Webhooks change through the API only: its services check the URL (SSRF) and audit."""


@admin.register(Webhook)
class WebhookAdmin(_ReadOnly):
    list_display = ["id", "url", "is_active", "created_at"]
    list_filter = ["is_active"]
    # Never the secret: it is shown once, in the API's answer to the create.
    fields = ["url", "events", "is_active", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnly):
    list_display = [
        "id",
        "created_at",
        "webhook",
        "type",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", "type"]
    list_select_related = ["webhook"]
    fields = ["webhook", *WEBHOOK_DELIVERY_FIELDS[1:], "due_at", "body"]
    actions = ["redeliver"]

    @admin.action(description="Send the selected deliveries again")
    def redeliver(self, request, queryset):
        for delivery in queryset:
            webhook_delivery_redeliver(delivery=delivery)
        messages.success(request, f"{queryset.count()} delivery(ies) queued again.")

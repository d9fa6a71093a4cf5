"""The outbox in the Django admin: read-only rows, with a "send again" action."""

from django.contrib import admin, messages

from notifications.models import Notification, NotificationPreference
from notifications.services import notification_retry


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "created_at",
        "user",
        "channel",
        "event",
        "appointment",
        "status",
        "attempts",
        "sent_at",
        "due_at",
    ]
    list_filter = ["status", "channel", "event"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "appointment"]
    readonly_fields = [
        "created_at",
        "user",
        "channel",
        "event",
        "appointment",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "due_at",
        "claimed_until",
    ]
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

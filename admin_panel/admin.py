"""Django admin for the audit trail: read-only (no add, change or delete, for anyone)."""

from django.contrib import admin

from admin_panel.models import AuditLogEntry


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    list_display = ("timestamp", "action", "actor", "actor_role", "object_type", "object_id", "ip")
    list_filter = ("action", "actor_role", "object_type")
    date_hierarchy = "timestamp"
    search_fields = ("action", "object_type")
    list_select_related = ("actor",)
    ordering = ("-timestamp", "-id")
    readonly_fields = (
        "timestamp",
        "actor",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "ip",
        "details",
    )
    fields = readonly_fields
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Django admin for the audit trail: read-only (no add, change or delete, for anyone)."""

from django.contrib import admin

from admin_panel.models import AUDIT_FIELDS, AuditLogEntry
from healthcare.admin import ReadOnlyAdminMixin


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("timestamp", "action", "actor", "actor_role", "object_type", "object_id", "ip")
    list_filter = ("action", "actor_role", "object_type")
    date_hierarchy = "timestamp"
    search_fields = ("action", "object_type")
    list_select_related = ("actor",)
    ordering = ("-timestamp", "-id")
    readonly_fields = AUDIT_FIELDS[1:]
    fields = readonly_fields

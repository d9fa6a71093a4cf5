"""The audit trail: an append-only record of who did what, when and from where."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models

APPEND_ONLY = "Audit log entries are append-only: they can't be changed or deleted."


class AuditAction(models.TextChoices):
    """Every `action` the trail records: the domain events the apps `emit` (healthcare.events).

    The API's enum and the `action` filter's choices; the column keeps plain text, so a new
    action needs no migration, only a line here (a test checks every `emit` names one).
    """

    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    REGISTERED = "registered"
    PROFILE_UPDATED = "profile_updated"
    APPOINTMENT_BOOKED = "appointment_booked"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    APPOINTMENT_STATUS_CHANGED = "appointment_status_changed"
    ADMIN_CREATED = "admin_created"
    ADMIN_UPDATED = "admin_updated"
    ADMIN_DEACTIVATED = "admin_deactivated"
    PATIENT_RECORD_READ = "patient_record_read"
    # A rotated refresh token presented again after the grace window: its family is revoked.
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # noqa: S105 (an action name, not a secret)
    # Contract v1.1: the lifecycle, working hours, time off, closures, webhooks, calendar feeds.
    APPOINTMENT_CONFIRMED = "appointment_confirmed"
    APPOINTMENT_DECLINED = "appointment_declined"
    APPOINTMENT_CHECKED_IN = "appointment_checked_in"
    APPOINTMENT_COMPLETED = "appointment_completed"
    APPOINTMENT_NO_SHOW = "appointment_no_show"
    APPOINTMENT_RESCHEDULED = "appointment_rescheduled"
    WORKING_HOURS_UPDATED = "working_hours_updated"
    TIME_OFF_CREATED = "time_off_created"
    TIME_OFF_DELETED = "time_off_deleted"
    CLOSURE_CREATED = "closure_created"
    CLOSURE_UPDATED = "closure_updated"
    CLOSURE_DELETED = "closure_deleted"
    WEBHOOK_CREATED = "webhook_created"
    WEBHOOK_UPDATED = "webhook_updated"
    WEBHOOK_DELETED = "webhook_deleted"
    CALENDAR_ROTATED = "calendar_rotated"


class AuditLogQuerySet(models.QuerySet):
    """Bulk writes are refused too, so no code path can rewrite the trail."""

    def update(self, **kwargs):
        raise PermissionDenied(APPEND_ONLY)

    def delete(self):
        raise PermissionDenied(APPEND_ONLY)


# An entry as the API and the Django admin show it (the contract's fields, in its order).
AUDIT_FIELDS = (
    "id",
    "timestamp",
    "actor",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "ip",
    "details",
)


class AuditLogEntry(models.Model):
    """One recorded domain event; written once by the receiver, never updated or deleted."""

    timestamp = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: an account with history can't vanish and take the trail's meaning with it.
    # No index of its own: (actor, timestamp) below leads with it; every write pays per index.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    # The role at the time of the event (a role could change later; the record must not).
    actor_role = models.CharField(max_length=10, blank=True)
    action = models.CharField(max_length=40)
    # NULL (not "") when the event concerns no object, so the API shows `null` as the contract does.
    object_type = models.CharField(max_length=40, blank=True, null=True)  # noqa: DJ001
    object_id = models.BigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name = "audit log entry"
        verbose_name_plural = "audit log entries"
        indexes = [
            models.Index(fields=["action", "timestamp"], name="audit_action_ts_idx"),
            models.Index(fields=["actor", "timestamp"], name="audit_actor_ts_idx"),
        ]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.action} by {self.actor_id or '-'}"

    def save(self, *args, **kwargs):
        # Append-only: an existing row is never written again.
        if not self._state.adding:
            raise PermissionDenied(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied(APPEND_ONLY)

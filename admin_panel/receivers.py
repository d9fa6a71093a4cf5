"""Feeds the audit trail from the domain events the other apps emit."""

from django.dispatch import receiver

from admin_panel.services import audit_entry_create
from healthcare.events import domain_event


@receiver(domain_event, dispatch_uid="admin_panel.audit_trail")
def record_domain_event(sender, *, action, actor, object_type, object_id, details, ip, **kwargs):
    """Write one audit row per event, with the client IP the event carries."""
    audit_entry_create(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        details=details,
        ip=ip,
    )

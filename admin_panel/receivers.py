"""Feeds the audit trail from the domain events the other apps emit."""

from django.dispatch import receiver

from admin_panel.services import audit_entry_create
from healthcare.events import domain_event


@receiver(domain_event, dispatch_uid="admin_panel.audit_trail")
def record_domain_event(sender, *, signal, obj=None, **event):
    """Write one audit row per event, with the client IP the event carries.

    The event's fields (`healthcare.events.emit`) are the row's fields; the instance itself is
    not kept, its type and id are.
    """
    audit_entry_create(**event)

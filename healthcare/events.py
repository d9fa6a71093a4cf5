"""Domain events: the apps announce what happened; the audit trail (admin_panel) listens.

This is the one sanctioned use of signals in the project (record-keeping, not business logic),
so that no app has to import `admin_panel`.
"""

from django.dispatch import Signal

from healthcare.api.middleware import current_client_ip

# kwargs: action, actor, object_type, object_id, details, ip, obj (the instance, when given)
domain_event = Signal()


def emit(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str | None = None,
    object_id: int | None = None,
    details: dict | None = None,
) -> None:
    """Announce a domain event; `obj` (a model instance) gives the object type and id."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id is None else object_id
    domain_event.send(
        sender=None,
        action=action,
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        object_type=object_type,
        object_id=object_id,
        details=details or {},
        ip=current_client_ip(),
        obj=obj,
    )

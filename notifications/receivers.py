"""Turns appointment domain events into outbox rows, in the same transaction as the change.

`healthcare.events.emit` sends `domain_event` inside the service's transaction, so the rows
commit (or roll back) with the change itself: a transactional outbox. One table maps every
appointment action to the notification event it causes.
"""

from django.dispatch import receiver

from appointments.models import AppointmentBooking
from healthcare.events import domain_event
from notifications.models import Event
from notifications.services import notifications_record

# `emit(obj=booking)` names the model (`appointmentbooking`); some callers say `appointment`.
APPOINTMENT_TYPES = frozenset({"appointmentbooking", "appointment"})
# Status → event, for an admin's PATCH (`appointment_status_changed`); `pending` announces nothing.
STATUS_EVENTS = {
    "confirmed": Event.CONFIRMED,
    "checked_in": Event.CHECKED_IN,
    "completed": Event.COMPLETED,
    "cancelled": Event.CANCELLED,
    "no_show": Event.NO_SHOW,
}
# A cancellation's reason decides its event (contract: events follow the result).
REASON_EVENTS = {"declined": Event.DECLINED, "rescheduled": Event.RESCHEDULED}

# action → event, or a function of (details, appointment) for the actions whose event depends
# on what happened. Issue 13's lifecycle actions are mapped already.
ACTION_EVENTS = {
    "appointment_booked": Event.BOOKED,
    "appointment_confirmed": Event.CONFIRMED,
    "appointment_declined": Event.DECLINED,
    "appointment_checked_in": Event.CHECKED_IN,
    "appointment_completed": Event.COMPLETED,
    "appointment_no_show": Event.NO_SHOW,
    "appointment_rescheduled": Event.RESCHEDULED,
    "appointment_cancelled": lambda details: REASON_EVENTS.get(
        details.get("reason") or details.get("cancellation_reason") or "", Event.CANCELLED
    ),
    "appointment_status_changed": lambda details: STATUS_EVENTS.get(details.get("new_status")),
}


def _id(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@receiver(domain_event, dispatch_uid="notifications.outbox")
def record_notifications(
    sender, *, action, actor, object_type, object_id, details, obj=None, **kwargs
):
    """Write the notifications of an appointment event (nothing for other events)."""
    mapped = ACTION_EVENTS.get(action)
    if mapped is None or object_type not in APPOINTMENT_TYPES or object_id is None:
        return
    event = mapped(details or {}) if callable(mapped) else mapped
    if event is None:
        return
    appointment_id = object_id
    ended = None
    if event == Event.RESCHEDULED:
        # One notification naming the new appointment: the event may come from the new one
        # (`rescheduled_from` in details) or from the old one's cancellation (`rescheduled_to`).
        new_id = _id(details.get("rescheduled_to")) or _id(details.get("new_appointment_id"))
        old_id = _id(details.get("rescheduled_from")) or _id(details.get("old_appointment_id"))
        if new_id:
            appointment_id, ended = new_id, object_id
        elif old_id:
            ended = old_id
        elif action == "appointment_cancelled":
            # The old booking's cancellation without a pointer: the reschedule event follows.
            return
    notifications_record(
        event=event,
        appointment_id=appointment_id,
        actor_id=getattr(actor, "pk", None),
        ended_appointment_id=ended,
        # The service's own instance, as the change left it: no second read of the row.
        appointment=obj if isinstance(obj, AppointmentBooking) else None,
    )

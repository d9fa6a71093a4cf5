"""Calendar feeds: a secret URL per user serving their appointments as RFC 5545 (icalendar).

The URL is `/api/calendar/<user id>.<secret>.ics`: the user id finds the row, the secret is
compared in constant time, and rotating replaces it (the old URL then answers 404, as does a
deactivated user's). The feed names no mobile number and no notes.
"""

import datetime as dt
import hmac
import secrets

import icalendar
from django.db import transaction
from django.utils import timezone

from appointments.models import AppointmentBooking, AppointmentStatus
from healthcare.clinic import horizon_date, slot_ends_at, slot_starts_at
from healthcare.events import emit
from notifications.models import CalendarFeed
from users.models import Role

PAST_DAYS = 30
UID_DOMAIN = "appointments.healthcare"
STATUSES = {
    AppointmentStatus.PENDING: "TENTATIVE",
    AppointmentStatus.CONFIRMED: "CONFIRMED",
    AppointmentStatus.CHECKED_IN: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED",
    AppointmentStatus.CANCELLED: "CANCELLED",
    AppointmentStatus.NO_SHOW: "CANCELLED",
}


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def calendar_token(feed: CalendarFeed) -> str:
    return f"{feed.user_id}.{feed.secret}"


@transaction.atomic
def calendar_feed_get(*, user) -> CalendarFeed:
    """The user's feed, made on first use."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user, defaults={"secret": _new_secret()})
    return feed


@transaction.atomic
def calendar_feed_rotate(*, user) -> CalendarFeed:
    """A new secret: the old URL stops working at once. Audited (`calendar_rotated`)."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(
        user=user, defaults={"secret": _new_secret()}
    )
    if not created:
        feed.secret = _new_secret()
        feed.rotated_at = timezone.now()
        feed.save(update_fields=["secret", "rotated_at"])
    emit("calendar_rotated", actor=user, obj=feed, details={})
    return feed


def calendar_feed_find(token: str) -> CalendarFeed | None:
    """The active user's feed this token opens, or None (one query)."""
    user_id, _, secret = token.partition(".")
    if not user_id.isdigit() or not secret or not user_id.isascii():
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(user_id=int(user_id), user__is_active=True)
        .first()
    )
    # Constant time: a guess learns nothing from how long the comparison took.
    if feed is None or not hmac.compare_digest(feed.secret.encode(), secret.encode()):
        return None
    return feed


def calendar_appointments(*, user):
    """The user's appointments from 30 days ago to the horizon (one query)."""
    today = timezone.localdate()
    mine = {"doctor": user} if user.role == Role.DOCTOR else {"patient": user}
    return (
        AppointmentBooking.objects.filter(
            **mine,
            appointment_date__gte=today - dt.timedelta(days=PAST_DAYS),
            appointment_date__lte=horizon_date(today),
        )
        .select_related("patient", "doctor__doctor_detail")
        .order_by("appointment_date", "appointment_time", "id")
    )


def calendar_render(*, user, appointments) -> bytes:
    """The RFC 5545 calendar: one VEVENT per appointment, times in UTC."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Healthcare appointments//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Appointments")
    stamp = timezone.now().astimezone(dt.UTC)
    for appointment in appointments:
        detail = getattr(appointment.doctor, "doctor_detail", None)
        if user.role == Role.DOCTOR:
            summary = f"Appointment with {appointment.patient.full_name}"
        else:
            summary = f"Appointment with {appointment.doctor.full_name}"
        start = slot_starts_at(appointment.appointment_date, appointment.appointment_time)
        end = slot_ends_at(appointment.appointment_date, appointment.appointment_time)
        event = icalendar.Event()
        event.add("uid", f"appointment-{appointment.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start.astimezone(dt.UTC))
        event.add("dtend", end.astimezone(dt.UTC))
        event.add("summary", summary)
        event.add("location", detail.location if detail else "")
        event.add("status", STATUSES.get(appointment.status, "TENTATIVE"))
        cal.add_component(event)
    return cal.to_ical()

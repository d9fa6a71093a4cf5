"""Filters of the admin's notification list; an unknown value is a 400, never ignored."""

import django_filters

from admin_panel.filters import IdFilter
from notifications.models import (
    WEBHOOK_TYPES,
    Channel,
    Event,
    Notification,
    NotificationStatus,
    WebhookDelivery,
    WebhookDeliveryStatus,
)


class NotificationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=NotificationStatus.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    event = django_filters.ChoiceFilter(choices=Event.choices)
    user = IdFilter(field_name="user_id")
    appointment = IdFilter(field_name="appointment_id")

    class Meta:
        model = Notification
        fields = ["status", "channel", "event", "user", "appointment"]


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WebhookDeliveryStatus.choices)
    type = django_filters.ChoiceFilter(choices=[(t, t) for t in WEBHOOK_TYPES])

    class Meta:
        model = WebhookDelivery
        fields = ["status", "type"]

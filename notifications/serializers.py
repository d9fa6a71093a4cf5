"""Shapes of the notification preferences and of the admin's outbox list."""

from rest_framework import serializers

from notifications.models import (
    NOTIFICATION_FIELDS,
    WEBHOOK_DELIVERY_FIELDS,
    WEBHOOK_TYPES,
    Notification,
    NotificationPreference,
    Webhook,
    WebhookDelivery,
)
from notifications.webhooks import secret_valid


class PreferencesSerializer(serializers.ModelSerializer):
    """`{email, sms, reminders}`: in (PATCH, each optional) and out."""

    class Meta:
        model = NotificationPreference
        fields = ["email", "sms", "reminders"]
        extra_kwargs = {name: {"required": False} for name in fields}


class NotificationOutputSerializer(serializers.ModelSerializer):
    """One outbox row as admins see it (`user` and `appointment` are ids)."""

    class Meta:
        model = Notification
        fields = list(NOTIFICATION_FIELDS)
        read_only_fields = fields


# A webhook as an admin writes it and as the answer to its create shows it (`secret` included).
WEBHOOK_FIELDS = ("id", "url", "events", "is_active", "secret")


class WebhookSerializer(serializers.ModelSerializer):
    """`{id, url, events, is_active, secret}`; `secret` is write-only (shown once, on create)."""

    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WEBHOOK_TYPES), allow_empty=False, max_length=20
    )
    secret = serializers.CharField(
        write_only=True,
        required=False,
        max_length=200,
        help_text="Standard Webhooks signing secret (`whsec_` + base64 of 24–64 bytes); "
        "generated when omitted and returned only in the answer to the create.",
    )

    class Meta:
        model = Webhook
        fields = list(WEBHOOK_FIELDS)
        read_only_fields = ["id"]
        extra_kwargs = {"is_active": {"required": False, "default": True}}

    def validate_secret(self, value):
        if not secret_valid(value):
            raise serializers.ValidationError(
                "A secret is `whsec_` followed by the base64 of 24 to 64 random bytes."
            )
        return value


class WebhookCreatedSerializer(serializers.ModelSerializer):
    """The answer to a create: the webhook with its secret, the only time it is shown."""

    class Meta:
        model = Webhook
        fields = list(WEBHOOK_FIELDS)
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    """One delivery of an event to a webhook, as admins see it."""

    class Meta:
        model = WebhookDelivery
        fields = list(WEBHOOK_DELIVERY_FIELDS)
        read_only_fields = fields

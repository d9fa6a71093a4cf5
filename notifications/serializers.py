"""Shapes of the notification preferences and of the admin's outbox list."""

from rest_framework import serializers

from notifications.models import Notification, NotificationPreference


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
        fields = [
            "id",
            "created_at",
            "user",
            "channel",
            "event",
            "appointment",
            "status",
            "attempts",
            "last_error",
            "sent_at",
            "due_at",
        ]
        read_only_fields = fields

"""Serializers of accounts: registration, profile, tokens."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from doctors.serializers import (
    DoctorDetailInputSerializer,
    DoctorDetailOutputSerializer,
    ScheduleItemInputSerializer,
    ScheduleOutputSerializer,
)
from doctors.services import MAX_SCHEDULE_ITEMS
from users.models import Role, User
from users.phone import normalize_mobile_number


class StrictCharField(serializers.CharField):
    """A CharField that takes JSON strings only; DRF's would turn `1810000008` into text.

    Why: a mobile number sent as a JSON number slipped past the per-number sign-in throttle.
    """

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class MobileNumberField(StrictCharField):
    """Accepts the local or E.164 form (a JSON string); yields E.164."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalize_mobile_number(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class ProfileOutputSerializer(serializers.ModelSerializer):
    """The account as its owner sees it; doctors also get `doctor_detail` and `schedules`."""

    # Output only. Not marked read_only on purpose: the schema generator lists every read-only
    # field as required, and these two are absent for patients and admins.
    doctor_detail = DoctorDetailOutputSerializer(required=False)
    schedules = ScheduleOutputSerializer(many=True, required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "mobile_number",
            "full_name",
            "email",
            "role",
            "date_joined",
            "doctor_detail",
            "schedules",
        ]
        read_only_fields = fields[:6]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.role != Role.DOCTOR:
            data.pop("doctor_detail", None)
            data.pop("schedules", None)
        return data


class RegisterInputSerializer(serializers.Serializer):
    mobile_number = MobileNumberField()
    # Untrimmed, as Django's own password forms: spaces are part of a password.
    password = serializers.CharField(
        write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(
        choices=[Role.PATIENT.value, Role.DOCTOR.value], required=False, default=Role.PATIENT.value
    )


class ProfileUpdateInputSerializer(serializers.Serializer):
    """PUT/PATCH of the profile. Unknown and read-only keys (role, is_verified…) are ignored."""

    full_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    mobile_number = MobileNumberField()
    doctor_detail = DoctorDetailInputSerializer(required=False)
    schedules = ScheduleItemInputSerializer(
        many=True, required=False, max_length=MAX_SCHEDULE_ITEMS
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class LoginInputSerializer(serializers.Serializer):
    # No length limits (the body size cap bounds them): an over-long number or password is just
    # wrong credentials, and must get the same 401 as any other, not a telling 400. A number
    # sent as a JSON number is a malformed request (400), refused before any throttle.
    mobile_number = StrictCharField(write_only=True)
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096, write_only=True)

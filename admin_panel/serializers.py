"""Serializers of the admin panel (input and output kept apart)."""

from rest_framework import serializers

from admin_panel.models import AUDIT_FIELDS, AuditAction, AuditLogEntry
from appointments.models import AppointmentStatus
from appointments.serializers import (
    AppointmentOutputSerializer,
    AppointmentUpdateInputSerializer,
)
from doctors.serializers import DoctorDetailInputSerializer, DoctorDetailOutputSerializer
from healthcare.api import dates
from healthcare.api.formats import CentsField, FlatRowSerializer, datetime_out
from healthcare.api.ids import MAX_ID
from users.models import Role, User
from users.serializers import MobileNumberField

USER_OUTPUT_FIELDS = [
    "id",
    "mobile_number",
    "full_name",
    "email",
    "role",
    "is_active",
    "date_joined",
]


class PatientAdminOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = USER_OUTPUT_FIELDS
        read_only_fields = fields


class DoctorAdminOutputSerializer(serializers.ModelSerializer):
    doctor_detail = DoctorDetailOutputSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [*USER_OUTPUT_FIELDS, "doctor_detail"]
        read_only_fields = fields


class AdminDoctorDetailInputSerializer(DoctorDetailInputSerializer):
    """A doctor's details as an admin edits them: `is_verified` is accepted here."""

    is_verified = serializers.BooleanField(required=False)


class PatientAdminInputSerializer(serializers.Serializer):
    """Create (all required but email/is_active) or update (every field optional) a patient."""

    mobile_number = MobileNumberField()
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}
    )
    full_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class DoctorAdminInputSerializer(PatientAdminInputSerializer):
    doctor_detail = AdminDoctorDetailInputSerializer(required=False)


class PatientAdminUpdateInputSerializer(PatientAdminInputSerializer):
    """Like creation, but the password is optional (sent, it is replaced)."""

    password = serializers.CharField(
        write_only=True, max_length=128, required=False, style={"input_type": "password"}
    )


class DoctorAdminUpdateInputSerializer(PatientAdminUpdateInputSerializer):
    doctor_detail = AdminDoctorDetailInputSerializer(required=False)


class AppointmentAdminOutputSerializer(AppointmentOutputSerializer):
    """A booking as `GET /api/appointments/{id}/` shows it, plus when it last changed."""

    class Meta(AppointmentOutputSerializer.Meta):
        fields = [*AppointmentOutputSerializer.Meta.fields, "updated_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        # The parent's is hand-written for its own fields: add this one's.
        data = super().to_representation(instance)
        data["updated_at"] = datetime_out(instance.updated_at)
        return data


class AppointmentAdminCreateInputSerializer(serializers.Serializer):
    patient = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    doctor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    schedule = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    appointment_time = serializers.TimeField()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class AppointmentAdminUpdateInputSerializer(AppointmentUpdateInputSerializer):
    """Only `status` and `notes` change (the same edit as `PATCH /api/appointments/{id}/`)."""


class AuditLogEntryOutputSerializer(serializers.ModelSerializer):
    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True)
    # `""` when no one was signed in (a failed login); otherwise the role at the time.
    actor_role = serializers.ChoiceField(choices=Role.choices, allow_blank=True, read_only=True)
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)

    class Meta:
        model = AuditLogEntry
        fields = list(AUDIT_FIELDS)
        read_only_fields = fields


class ReportQuerySerializer(serializers.Serializer):
    date_from = dates.DateField(required=False)
    date_to = dates.DateField(required=False)

    def validate(self, attrs):
        date_from, date_to = attrs.get("date_from"), attrs.get("date_to")
        if date_from and date_to and date_to < date_from:
            raise serializers.ValidationError({"date_to": ["date_to is before date_from."]})
        return attrs


MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}


# Hand-written output (FlatRowSerializer): one row per doctor and per appointment, thousands per
# report (healthcare/api/formats.py). A per-doctor row is a tuple of
# `admin_panel.selectors.PER_DOCTOR_COLUMNS`, revenue in cents, in these fields' order.
class ReportDoctorRowSerializer(FlatRowSerializer):
    doctor_id = serializers.IntegerField()
    doctor_name = serializers.CharField()
    total_appointments = serializers.IntegerField()
    completed_appointments = serializers.IntegerField()
    no_show_appointments = serializers.IntegerField()
    declined_appointments = serializers.IntegerField()
    revenue = CentsField()


# A row of `report_patient_appointments` (flat, `doctor_name` joined).
class ReportAppointmentSerializer(FlatRowSerializer):
    id = serializers.IntegerField()
    doctor_id = serializers.IntegerField()
    doctor_name = serializers.CharField()
    appointment_date = serializers.DateField()
    appointment_time = serializers.TimeField()
    status = serializers.ChoiceField(choices=AppointmentStatus.choices)
    fee = serializers.DecimalField(**MONEY)


class ReportPatientSerializer(serializers.Serializer):
    patient_id = serializers.IntegerField()
    patient_name = serializers.CharField()
    total_appointments = serializers.IntegerField()
    appointments = ReportAppointmentSerializer(many=True)


class ReportOutputSerializer(serializers.Serializer):
    total_appointments = serializers.IntegerField()
    total_revenue = serializers.DecimalField(**MONEY)
    appointments_per_doctor = ReportDoctorRowSerializer(many=True)
    patients = ReportPatientSerializer(many=True)
    patients_count = serializers.IntegerField()
    patients_next = serializers.URLField(allow_null=True)
    patients_previous = serializers.URLField(allow_null=True)

"""Serializers of bookings (input and output kept apart; the rules live in the services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appointments.models import AppointmentBooking, AppointmentStatus, CancellationReason
from appointments.selectors import APPOINTMENT_FIELDS, SLOT_INSTANTS, appointment_row
from healthcare.api.formats import SlotInstantField, date_out, datetime_out, money, time_out
from healthcare.api.ids import MAX_ID
from healthcare.clinic import slot_instants_out


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        # No `enum`: drf-spectacular would hoist it into a `oneOf` without a type.
        "description": "Why it was cancelled (null unless it is): "
        + ", ".join(f"`{r.value}`" for r in CancellationReason)
        + ".",
        "example": CancellationReason.PATIENT.value,
    }
)
class CancellationReasonField(serializers.CharField):
    """A nullable choice described as one typed node (a generated client's `string | null`)."""


class AppointmentOutputSerializer(serializers.ModelSerializer):
    """An appointment as its patient, its doctor and admins see it."""

    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    doctor_name = serializers.CharField(source="doctor.full_name", read_only=True)
    cancellation_reason = CancellationReasonField(read_only=True, allow_null=True)
    starts_at = SlotInstantField(date="appointment_date", time="appointment_time")
    ends_at = SlotInstantField(date="appointment_date", time="appointment_time", end=True)

    class Meta:
        model = AppointmentBooking
        fields = [name for name, _ in APPOINTMENT_FIELDS]
        read_only_fields = fields

    def to_representation(self, instance):
        # Hand-written: the patient's own list is a hot path (healthcare/api/formats.py). Takes
        # a row of `appointment_rows` (the lists) or a booking with patient and doctor.
        row = instance if isinstance(instance, dict) else appointment_row(instance)
        date, time = row["appointment_date"], row["appointment_time"]
        starts_at, ends_at = slot_instants_out(date, time)
        instants = {"starts_at": starts_at, "ends_at": ends_at}
        out = {
            name: instants[key] if key in SLOT_INSTANTS else row[key]
            for name, key in APPOINTMENT_FIELDS
        }
        out["appointment_date"] = date_out(date)
        out["appointment_time"] = time_out(time)
        out["fee"] = money(out["fee"])
        out["created_at"] = datetime_out(out["created_at"])
        if out["cancelled_at"] is not None:
            out["cancelled_at"] = datetime_out(out["cancelled_at"])
        return out


class AppointmentBookInputSerializer(serializers.Serializer):
    """A patient's booking: the doctor (user id), one of their schedules and a slot start."""

    doctor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    schedule = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    appointment_time = serializers.TimeField()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AppointmentRescheduleInputSerializer(serializers.Serializer):
    """Where to move it: a schedule of the same doctor and one of its slot starts."""

    schedule = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    appointment_time = serializers.TimeField()


class AppointmentReasonInputSerializer(serializers.Serializer):
    """The optional body of a cancel or decline: a note shown to the patient and the doctor."""

    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", trim_whitespace=True
    )


class AppointmentUpdateInputSerializer(serializers.Serializer):
    """An admin's edit: `status` and `notes` only; other keys are ignored."""

    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)

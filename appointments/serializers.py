"""Serializers of bookings (input and output kept apart; the rules live in the services)."""

from rest_framework import serializers

from appointments.models import AppointmentBooking, AppointmentStatus
from appointments.selectors import APPOINTMENT_FIELDS, SLOT_INSTANTS, appointment_row
from healthcare.api.formats import SlotInstantField, date_out, datetime_out, money, time_out
from healthcare.api.ids import MAX_ID
from healthcare.clinic import instant_out, slot_ends_at, slot_starts_at


class AppointmentOutputSerializer(serializers.ModelSerializer):
    """An appointment as its patient, its doctor and admins see it."""

    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    doctor_name = serializers.CharField(source="doctor.full_name", read_only=True)
    starts_at = SlotInstantField(date="appointment_date", time="appointment_time")
    ends_at = SlotInstantField(date="appointment_date", time="appointment_time", end=True)

    class Meta:
        model = AppointmentBooking
        fields = [name for name, _ in APPOINTMENT_FIELDS]
        read_only_fields = fields

    def to_representation(self, instance):
        # Hand-written: the patient's own list is a hot path (healthcare/api/formats.py). Takes
        # a row of `appointment_list_rows` (the list) or a booking with patient and doctor.
        row = instance if isinstance(instance, dict) else appointment_row(instance)
        date, time = row["appointment_date"], row["appointment_time"]
        instants = {
            "starts_at": instant_out(slot_starts_at(date, time)),
            "ends_at": instant_out(slot_ends_at(date, time)),
        }
        out = {
            name: instants[key] if key in SLOT_INSTANTS else row[key]
            for name, key in APPOINTMENT_FIELDS
        }
        out["appointment_date"] = date_out(date)
        out["appointment_time"] = time_out(time)
        out["fee"] = money(out["fee"])
        out["created_at"] = datetime_out(out["created_at"])
        return out


class AppointmentBookInputSerializer(serializers.Serializer):
    """A patient's booking: the doctor (user id), one of their schedules and a slot start."""

    doctor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    schedule = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    appointment_time = serializers.TimeField()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AppointmentUpdateInputSerializer(serializers.Serializer):
    """An admin's edit: `status` and `notes` only; other keys are ignored."""

    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)

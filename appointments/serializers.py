"""Serializers of bookings (input and output kept apart; the rules live in the services)."""

from rest_framework import serializers

from appointments.models import AppointmentBooking, AppointmentStatus
from healthcare.api.formats import date_out, datetime_out, money, time_out

MAX_ID = 2**63 - 1


class AppointmentOutputSerializer(serializers.ModelSerializer):
    """An appointment as its patient, its doctor and admins see it."""

    patient_name = serializers.CharField(source="patient.full_name", read_only=True)
    doctor_name = serializers.CharField(source="doctor.full_name", read_only=True)

    class Meta:
        model = AppointmentBooking
        fields = [
            "id",
            "patient",
            "patient_name",
            "doctor",
            "doctor_name",
            "schedule",
            "appointment_date",
            "appointment_time",
            "status",
            "notes",
            "fee",
            "created_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        # Hand-written: the patient's own list is a hot path (healthcare/api/formats.py). Takes
        # a row of `appointment_list_rows` (the list) or a booking with patient and doctor.
        row = instance if isinstance(instance, dict) else _booking_row(instance)
        return {
            "id": row["id"],
            "patient": row["patient_id"],
            "patient_name": row["patient_name"],
            "doctor": row["doctor_id"],
            "doctor_name": row["doctor_name"],
            "schedule": row["schedule_id"],
            "appointment_date": date_out(row["appointment_date"]),
            "appointment_time": time_out(row["appointment_time"]),
            "status": row["status"],
            "notes": row["notes"],
            "fee": money(row["fee"]),
            "created_at": datetime_out(row["created_at"]),
        }


def _booking_row(booking: AppointmentBooking) -> dict:
    """A booking as the flat row `appointment_list_rows` reads."""
    return {
        "id": booking.pk,
        "patient_id": booking.patient_id,
        "patient_name": booking.patient.full_name,
        "doctor_id": booking.doctor_id,
        "doctor_name": booking.doctor.full_name,
        "schedule_id": booking.schedule_id,
        "appointment_date": booking.appointment_date,
        "appointment_time": booking.appointment_time,
        "status": booking.status,
        "notes": booking.notes,
        "fee": booking.fee,
        "created_at": booking.created_at,
    }


class AppointmentBookInputSerializer(serializers.Serializer):
    """A patient's booking: the doctor (user id), one of their schedules and a slot start."""

    # Ids are BigAutoFields: anything larger can't name a row and must not reach the database.
    doctor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    schedule = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    appointment_time = serializers.TimeField()
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AppointmentUpdateInputSerializer(serializers.Serializer):
    """An admin's edit: `status` and `notes` only; other keys are ignored."""

    status = serializers.ChoiceField(choices=AppointmentStatus.choices, required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)

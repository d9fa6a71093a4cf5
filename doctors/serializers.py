"""Serializers of doctors' details and schedules (input and output kept apart)."""

from rest_framework import serializers

from doctors.models import DoctorDetail, DoctorSchedule
from doctors.services import DETAIL_FIELDS
from healthcare.api import dates


class DoctorDetailOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DoctorDetail
        fields = [*DETAIL_FIELDS, "is_verified"]
        read_only_fields = fields


class DoctorDetailInputSerializer(serializers.Serializer):
    """A doctor's own edit of their details; every field optional, `is_verified` ignored."""

    license_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, allow_null=True
    )
    specialization = serializers.CharField(max_length=100, required=False, allow_blank=True)
    experience_years = serializers.IntegerField(min_value=0, max_value=80, required=False)
    consultation_fee = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False
    )
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ScheduleOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = DoctorSchedule
        fields = ["id", "date", "start_time", "end_time", "source"]
        read_only_fields = fields


class WorkingHoursSerializer(serializers.Serializer):
    """One weekly interval, in and out: `weekday` 0 = Monday … 6 = Sunday."""

    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()


class ScheduleItemInputSerializer(serializers.Serializer):
    """One item of the full list of upcoming schedules: with `id` updates, without creates."""

    id = serializers.IntegerField(required=False, min_value=1)
    date = dates.DateField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()

    def validate(self, attrs):
        # A PATCH makes DRF treat nested fields as optional; a schedule needs all three.
        missing = {
            f: ["This field is required."]
            for f in ("date", "start_time", "end_time")
            if f not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class TimeOffSerializer(serializers.Serializer):
    """A doctor's time off, in and out; absent times mean 00:00 and the end of the day."""

    id = serializers.IntegerField(read_only=True)
    date_from = dates.DateField()
    date_to = dates.DateField()
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    end_time = serializers.TimeField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class CancelAppointmentsField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.IntegerField(min_value=1),
            required=False,
            max_length=10_000,
            write_only=True,
            help_text="The ids of every active appointment inside it (from the 400 "
            "`time_off_conflict` answer's `appointments`): they are cancelled.",
            **kwargs,
        )


class TimeOffInputSerializer(TimeOffSerializer):
    cancel_appointments = CancelAppointmentsField()


class TimeOffCreatedSerializer(TimeOffSerializer):
    cancelled_appointments = serializers.ListField(child=serializers.IntegerField(), read_only=True)


class ClosureSerializer(serializers.Serializer):
    """A date the clinic is closed."""

    id = serializers.IntegerField(read_only=True)
    date = dates.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ClosureInputSerializer(ClosureSerializer):
    cancel_appointments = CancelAppointmentsField()


class ClosureSavedSerializer(ClosureSerializer):
    cancelled_appointments = serializers.ListField(child=serializers.IntegerField(), read_only=True)

"""Query filters of appointment lists (a malformed value is a 400, never ignored)."""

from django_filters import rest_framework as filters

from appointments.models import AppointmentBooking, AppointmentStatus
from healthcare.api import dates


class AppointmentFilter(filters.FilterSet):
    """`status` (exact), `date_from`/`date_to` (inclusive local dates on appointment_date)."""

    status = filters.ChoiceFilter(choices=AppointmentStatus.choices)
    date_from = dates.DateFilter(field_name="appointment_date", lookup_expr="gte")
    date_to = dates.DateFilter(field_name="appointment_date", lookup_expr="lte")

    class Meta:
        model = AppointmentBooking
        fields = ["status", "date_from", "date_to"]

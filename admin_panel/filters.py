"""Query filters of the admin-panel lists; a malformed value is a 400, never ignored."""

import django_filters
from django import forms
from django.db.models import Q

from admin_panel.models import AuditAction, AuditLogEntry
from appointments.models import AppointmentBooking, AppointmentStatus
from healthcare.api import dates
from users.models import User

MAX_SEARCH_WORDS = 8
TRUE_VALUES = {"true", "1", "yes"}
FALSE_VALUES = {"false", "0", "no"}


class StrictBooleanField(forms.Field):
    """`true`/`false` (or 1/0); anything else is an error instead of a silently dropped filter."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError("Enter true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IdFilter(django_filters.NumberFilter):
    """A whole, positive, 64-bit id: anything else is a 400, not an overflow in the database."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class PatientAdminFilter(django_filters.FilterSet):
    """Accounts by state; `search` needs every word in the name, number or email."""

    is_active = StrictBooleanFilter()
    search = django_filters.CharFilter(method="filter_search", max_length=100)

    class Meta:
        model = User
        fields = ["is_active", "search"]

    def filter_search(self, queryset, name, value):
        for word in value.split()[:MAX_SEARCH_WORDS]:
            queryset = queryset.filter(
                Q(full_name__icontains=word)
                | Q(mobile_number__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset


class DoctorAdminFilter(PatientAdminFilter):
    """As for patients, plus verification and specialization (case-insensitive exact)."""

    is_verified = StrictBooleanFilter(field_name="doctor_detail__is_verified")
    specialization = django_filters.CharFilter(
        field_name="doctor_detail__specialization", lookup_expr="iexact", max_length=100
    )

    class Meta:
        model = User
        fields = ["is_active", "is_verified", "specialization", "search"]


class AppointmentAdminFilter(django_filters.FilterSet):
    """Bookings by doctor, patient, status and an inclusive range of appointment dates."""

    doctor = IdFilter(field_name="doctor_id")
    patient = IdFilter(field_name="patient_id")
    status = django_filters.ChoiceFilter(choices=AppointmentStatus.choices)
    date_from = dates.DateFilter(field_name="appointment_date", lookup_expr="gte")
    date_to = dates.DateFilter(field_name="appointment_date", lookup_expr="lte")

    class Meta:
        model = AppointmentBooking
        fields = ["doctor", "patient", "status", "date_from", "date_to"]


class AuditLogFilter(django_filters.FilterSet):
    """Entries by actor, exact action and inclusive local dates of the timestamp."""

    actor = IdFilter(field_name="actor_id")
    action = django_filters.ChoiceFilter(field_name="action", choices=AuditAction.choices)
    # `__date` converts to the clinic's time zone, so the dates are local ones.
    date_from = dates.DateFilter(field_name="timestamp", lookup_expr="date__gte")
    date_to = dates.DateFilter(field_name="timestamp", lookup_expr="date__lte")

    class Meta:
        model = AuditLogEntry
        fields = ["actor", "action", "date_from", "date_to"]

"""Filters of the public doctors directory."""

from django.db.models import Q
from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError

from appointments.selectors import free_future_slot_exists
from users.models import User

# Each word becomes two LIKE clauses; a cap keeps one request from building a huge query.
MAX_SEARCH_WORDS = 8
MAX_SEARCH_LENGTH = 200


class StableOrderingFilter(filters.OrderingFilter):
    """Ordering that defaults to full name and always ends with id, so pages never shuffle."""

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or ()] or ["full_name"]
        return qs.order_by(*ordering, "id")


class DoctorFilter(filters.FilterSet):
    """specialization (iexact), location (icontains), available, search (every word), ordering."""

    specialization = filters.CharFilter(
        field_name="doctor_detail__specialization", lookup_expr="iexact", max_length=100
    )
    location = filters.CharFilter(
        field_name="doctor_detail__location", lookup_expr="icontains", max_length=200
    )
    # A choice, not a BooleanFilter: that one silently ignores a malformed value; this is a 400.
    available = filters.ChoiceFilter(
        choices=(("true", "true"), ("false", "false")), method="filter_available"
    )
    search = filters.CharFilter(method="filter_search", max_length=MAX_SEARCH_LENGTH)
    ordering = StableOrderingFilter(
        fields=(
            ("doctor_detail__consultation_fee", "consultation_fee"),
            ("doctor_detail__experience_years", "experience_years"),
            ("full_name", "full_name"),
        )
    )

    class Meta:
        model = User
        fields = ["specialization", "location", "available", "search"]

    def filter_available(self, queryset, name, value):
        exists = free_future_slot_exists()
        return queryset.filter(exists if value == "true" else ~exists)

    def filter_search(self, queryset, name, value):
        words = value.split()
        if len(words) > MAX_SEARCH_WORDS:
            raise ValidationError({"search": [f"At most {MAX_SEARCH_WORDS} words."]})
        for word in words:
            queryset = queryset.filter(
                Q(full_name__icontains=word) | Q(doctor_detail__specialization__icontains=word)
            )
        return queryset

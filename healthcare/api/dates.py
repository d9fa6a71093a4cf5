"""Dates in requests: `YYYY-MM-DD` in ASCII digits, within the range the service handles.

One parser (`parse_date_param`) behind every date a request carries: the `date_from`/`date_to`
query parameters (DRF query serializers and django-filter filter sets alike) and body dates
(schedules). Python's dates end at 9999-12-31, and the service adds days to the dates it is given
(a slot range, a week ahead): a year-9999 date was a 500 (OverflowError). Dates outside
`DATE_MIN`..`DATE_MAX` are a 400 instead; nothing a clinic books or reports on lies outside it.
"""

import datetime as dt
import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2999, 12, 31)

INVALID_DATE = "Enter a valid date in YYYY-MM-DD format."
DATE_OUT_OF_RANGE = f"Enter a date between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}."

# ASCII digits only: `\d` would take other scripts' digits, and `date.fromisoformat` alone
# would take `20261205` and week dates.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def parse_date_param(raw) -> dt.date:
    """The date `raw` names (`YYYY-MM-DD`), or Django's ValidationError (a 400 in the API)."""
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise ValidationError(INVALID_DATE, code="invalid")
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(INVALID_DATE, code="invalid") from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")
    return value


class DateField(serializers.DateField):
    """DRF's DateField, parsing with `parse_date_param` (strict format, bounded range)."""

    def to_internal_value(self, value):
        try:
            return parse_date_param(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from exc


class DateFormField(forms.Field):
    """A form field (for django-filter) parsing with `parse_date_param`."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_date_param(value)


class DateFilter(django_filters.DateFilter):
    """django-filter's DateFilter, parsing with `parse_date_param`."""

    field_class = DateFormField

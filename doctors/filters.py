"""Filters of the public doctors directory."""

import functools

from django.forms import Form
from django_filters import rest_framework as filters
from rest_framework.exceptions import ErrorDetail, ValidationError

from users.models import User

# Each word becomes two LIKE clauses; a cap keeps one request from building a huge query.
MAX_SEARCH_WORDS = 8
MAX_SEARCH_LENGTH = 200
# `ordering` values: the names the API takes, each optionally prefixed with "-" for descending.
ORDERING_FIELDS = ("consultation_fee", "experience_years", "full_name")
ORDERING_HELP = (
    "Comma-separated keys, most significant first (e.g. `-consultation_fee,experience_years`); "
    "`-` means descending. Default `full_name`; ties are always broken by `id`. Send the "
    "parameter once: repeating it (`?ordering=a&ordering=b`, how some clients send arrays) is "
    "a 400 with code `ordering_repeated`."
)


class DoctorFilter(filters.FilterSet):
    """The directory's query parameters: specialization (iexact), location (icontains), available,
    search (every word, in name or specialization), ordering.

    Declared once here for their validation (this FilterSet's form), the OpenAPI parameters and
    the browsable API's filter form. The filtering itself is hand-written SQL
    (`doctors.selectors.DoctorDirectory`): the ORM's query building cost more than the query.
    """

    specialization = filters.CharFilter(
        field_name="doctor_detail__specialization", lookup_expr="iexact", max_length=100
    )
    location = filters.CharFilter(
        field_name="doctor_detail__location", lookup_expr="icontains", max_length=200
    )
    # A choice, not a BooleanFilter: that one silently ignores a malformed value; this is a 400.
    available = filters.ChoiceFilter(choices=(("true", "true"), ("false", "false")))
    search = filters.CharFilter(max_length=MAX_SEARCH_LENGTH)
    ordering = filters.OrderingFilter(fields=ORDERING_FIELDS, help_text=ORDERING_HELP)

    class Meta:
        model = User
        fields = ["specialization", "location", "available", "search"]


@functools.cache
def doctor_filter_form_class() -> type[Form]:
    """`DoctorFilter`'s form class, built once (django-filter builds it anew for every request)."""
    return DoctorFilter().get_form_class()


def doctor_filter_values(params) -> dict:
    """The directory's query parameters cleaned by `DoctorFilter`'s form; malformed → 400."""
    _refuse_repeated_ordering(params)
    form = doctor_filter_form_class()(params)
    if not form.is_valid():
        raise ValidationError(form.errors)
    values = form.cleaned_data
    if len(values["search"].split()) > MAX_SEARCH_WORDS:
        raise ValidationError({"search": [f"At most {MAX_SEARCH_WORDS} words."]})
    _check_ordering_keys(values["ordering"] or [])
    return values


def _refuse_repeated_ordering(params) -> None:
    # The form reads one value of a repeated parameter (the last): the list would come back
    # sorted by one key with nothing saying the others were dropped.
    if hasattr(params, "getlist") and len(params.getlist("ordering")) > 1:
        message = (
            "Send `ordering` once, with the keys separated by commas "
            "(e.g. `ordering=-consultation_fee,experience_years`), not repeated."
        )
        raise ValidationError({"ordering": [ErrorDetail(message, code="ordering_repeated")]})


def _check_ordering_keys(keys: list[str]) -> None:
    """Each key of a comma-separated `ordering` names a field once; an empty key is an error."""
    if "" in keys:
        raise ValidationError({"ordering": ["An ordering key is empty (a stray comma?)."]})
    seen = set()
    for key in keys:
        name = key.removeprefix("-")
        if name in seen:
            raise ValidationError({"ordering": [f"`{name}` is named more than once."]})
        seen.add(name)

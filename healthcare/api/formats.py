"""The API's output formats written out once, for the hand-written serializers of hot paths.

DRF's generic `to_representation` walks every field of every row through `get_attribute` and
the field's own formatting: about half of a 20-row list's Python time. The serializers of the
hot read paths (doctors list, slots, appointments) build their dicts directly with these
helpers; their fields stay declared, so the OpenAPI schema is unchanged, and tests compare each
hand-written output with DRF's generic one, so the two can't drift.
"""

import datetime as dt
from decimal import Decimal
from itertools import repeat

from django.utils import timezone
from rest_framework import serializers

from healthcare import clinic

CENT = Decimal("0.01")


def money(value: Decimal) -> str:
    """A decimal string with two places, as `DecimalField(decimal_places=2)` renders it."""
    text = str(value)
    # Values read from a two-place column already print as wanted (five times cheaper).
    if text[-3:-2] == "." and "E" not in text:
        return text
    return format(value.quantize(CENT), "f")


def cents_out(cents: int) -> str:
    """Whole cents as a two-place decimal string (what `money` writes for `cents / 100`)."""
    if cents < 0:
        return "-" + cents_out(-cents)
    return f"{cents // 100}.{cents % 100:02d}"


class CentsField(serializers.DecimalField):
    """Money read as whole cents (an int) and written as a two-place decimal string: to the
    schema, the `DecimalField(max_digits=14, decimal_places=2)` it replaces."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)

    def to_representation(self, value):
        return cents_out(value)


def date_out(value: dt.date) -> str:
    """`YYYY-MM-DD` (the contract's `DATE_FORMAT`)."""
    return value.isoformat()


def time_out(value: dt.time) -> str:
    """`HH:MM` (the contract's `TIME_FORMAT`)."""
    return f"{value.hour:02d}:{value.minute:02d}"


def datetime_out(value: dt.datetime) -> str:
    """ISO 8601 in the current time zone, `Z` for UTC, as DRF's `DateTimeField` renders it."""
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class SlotInstantField(serializers.DateTimeField):
    """`starts_at`/`ends_at` of a slot, from its date and wall-clock time in the clinic's zone.

    Reads the whole object (a dict row or a model instance) by the names of its date and time;
    ISO 8601 with the clinic's UTC offset (healthcare/clinic.py).
    """

    def __init__(self, *, date: str, time: str, end: bool = False, **kwargs):
        self._date, self._time, self._end = date, time, end
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        if isinstance(value, dict):
            date, time = value[self._date], value[self._time]
        else:
            date, time = getattr(value, self._date), getattr(value, self._time)
        instant = (clinic.slot_ends_at if self._end else clinic.slot_starts_at)(date, time)
        return clinic.instant_out(instant)


# How a flat row's value of each declared field type is written out (None: as it is).
_ROW_FORMATS = {
    serializers.IntegerField: None,
    serializers.CharField: None,
    serializers.ChoiceField: None,
    serializers.DateField: date_out,
    serializers.TimeField: time_out,
    serializers.DecimalField: money,
    CentsField: cents_out,
}


# Renders a flat row by its declared fields: a dict (a selector's `values()`), or a tuple of the
# declared fields in their order (a selector's `values_list()`). Each is written out as
# its field type's helper above writes it: the declared fields stay the schema's and the one list.
# A field type not in `_ROW_FORMATS` (or money with other than two places) fails when the class
# is defined, not with a wrong value at run time. (Comments, not a docstring: the schema would
# show a docstring as the description of every subclass.)
class FlatRowSerializer(serializers.Serializer):
    @classmethod
    def many_init(cls, *args, **kwargs):
        kwargs["child"] = cls()
        return FlatRowListSerializer(*args, **kwargs)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        writes = []
        for name, field in cls._declared_fields.items():
            if type(field) not in _ROW_FORMATS or getattr(field, "decimal_places", 2) != 2:
                raise TypeError(f"{cls.__name__}.{name}: no flat-row format for {field!r}")
            if _ROW_FORMATS[type(field)] is not None:
                writes.append((name, _ROW_FORMATS[type(field)]))
        cls._row_names = tuple(cls._declared_fields)
        cls._row_writes = tuple(writes)

    def to_representation(self, instance):
        return FlatRowListSerializer(child=self).to_representation([instance])[0]


# Flat rows, built in one pass and then written out a column at a time (no per-row method call:
# a report has thousands of rows). A tuple is zipped with the declared names, a dict's declared
# fields are picked; either way only the fields with a format are then rewritten.
class FlatRowListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        names = self.child._row_names
        data = list(data)
        if data and type(data[0]) is tuple:
            # One query's rows, all as long as the first: checked once (a keyword to `zip`, even
            # `strict=False`, costs a third more over thousands of rows).
            if len(data[0]) != len(names):
                raise ValueError(f"a row of {len(data[0])} values for {len(names)} fields")
            rows = list(map(dict, map(zip, repeat(names), data)))
        else:
            rows = [{name: row[name] for name in names} for row in data]
        for name, write in self.child._row_writes:
            for row in rows:
                row[name] = write(row[name])
        return rows

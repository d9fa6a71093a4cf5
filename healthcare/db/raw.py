"""Helpers for the few hand-written queries on hot paths (the doctors directory, booking).

Django's ORM spends more time building some queries than the database spends running them
(about 2 ms of Python for booking's locked schedule read on a 2-core machine, against 0.1 ms of
execution). Those few queries are written out in SQL; these helpers keep them faithful to what
the ORM would read: table names from the models, and each column's raw value converted the way
the ORM converts it on the database at hand.
"""

import functools
import re

from django.db import connection
from django.db.models.expressions import Col, Value


def table(model) -> str:
    """The model's table name, quoted for this database."""
    return connection.ops.quote_name(model._meta.db_table)


_CODE_VALUE = re.compile(r"[a-z_]+")


def literals(values) -> str:
    """The code's own constant values (a choice's values, never input) as SQL string literals,
    `'a', 'b'`.

    Written into the statement rather than sent as parameters so that a prepared statement's
    generic plan can use a partial index: PostgreSQL proves `status IN ('pending', …)` implies
    the index's predicate, but not `status IN ($1, …)` (healthcare/db/prepared.py).
    """
    values = [str(value) for value in values]
    for value in values:
        if not _CODE_VALUE.fullmatch(value):
            raise ValueError(f"not a plain code value: {value!r}")
    return ", ".join(f"'{value}'" for value in values)


class Literal(Value):
    """`literals` for the ORM: a code constant the compiled SQL holds as a literal, e.g.
    `status__in=[Literal(s) for s in ACTIVE_STATUSES]` in a query that gets prepared."""

    def as_sql(self, compiler, connection):
        return literals([self.value]), []


def column_converter(model, name: str):
    """What the ORM applies to the column's raw value on this database, as one function (SQLite
    keeps decimals as numbers: they come back as Decimal), or None when it applies nothing."""
    return _column_converter(model, name, connection.vendor)


@functools.cache
def _column_converter(model, name: str, vendor: str):
    # Per database, built once: the hot paths ask on every request.
    field = model._meta.get_field(name)
    column = Col(model._meta.db_table, field)
    converters = [
        *connection.ops.get_db_converters(column),
        *field.get_db_converters(connection),
    ]
    if not converters:
        return None

    def convert(value):
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert

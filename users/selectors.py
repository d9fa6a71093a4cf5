"""Reads of accounts."""

import functools

from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from doctors.models import DoctorSchedule
from healthcare.db import prepared
from healthcare.db.raw import column_converter, table
from healthcare.db.router import read_connection
from users.models import User


def profile_get(*, user: User) -> User:
    """The caller's own account as the profile shows it: a doctor's details and upcoming
    schedules (dated today or later, by date and start time) come along; three queries at most.
    """
    upcoming = DoctorSchedule.objects.filter(date__gte=timezone.localdate()).order_by(
        "date", "start_time", "id"
    )
    return (
        User.objects.select_related("doctor_detail")
        .prefetch_related(Prefetch("schedules", queryset=upcoming))
        .get(pk=user.pk)
    )


def user_by_id(user_id: int) -> User | None:
    """The account with this id (every field loaded), or None; one prepared statement.

    What `User.objects.get(pk=…)` returns, read on every authenticated request (the bearer
    token's user): written out from the model's own columns, so a field added to the model is
    read too, and each value converted as the ORM converts it on the database at hand.
    """
    reader = read_connection()
    attnames, converters, sql = _user_by_id_sql(reader.vendor)
    with reader.cursor() as cursor:
        prepared.execute(cursor, sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    values = [
        convert(value) if convert and value is not None else value
        for convert, value in zip(converters, row, strict=True)
    ]
    return User.from_db(reader.alias, attnames, values)


@functools.cache
def _user_by_id_sql(vendor: str) -> tuple[list[str], tuple, str]:
    # Per database, built once: the fields' names, their ORM conversions, and the statement
    # (quoted names from the model only, the id a parameter).
    fields = User._meta.concrete_fields
    converters = tuple(column_converter(User, field.name) for field in fields)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    pk = quote(User._meta.pk.column)
    sql = f"SELECT {columns} FROM {table(User)} WHERE {pk} = %s"  # noqa: S608
    return [field.attname for field in fields], converters, sql

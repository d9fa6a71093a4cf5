"""Reads of doctors' details and schedules."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from appointments.selectors import free_future_slot_sql
from doctors.filters import doctor_filter_values
from doctors.models import DoctorDetail, DoctorSchedule
from doctors.public import PUBLIC_DOCTOR, public_doctor_sql
from healthcare.api.pagination import TOTAL
from healthcare.db import prepared
from healthcare.db.raw import column_converter, table
from healthcare.db.router import read_connection


def doctor_public_queryset() -> QuerySet:
    """Doctors the public may see: role doctor, active and verified, with their details joined."""
    return get_user_model().objects.filter(PUBLIC_DOCTOR).select_related("doctor_detail")


# The directory's columns: `DoctorPublicOutputSerializer`'s fields, in its order.
DIRECTORY_COLUMNS = (
    "id",
    "full_name",
    "specialization",
    "experience_years",
    "consultation_fee",
    "location",
    "bio",
)


class DoctorDirectory:
    """The public doctors directory for one request's filters, as pages of flat rows.

    The busiest public read, in hand-written SQL: built with the ORM (django-filter's filters,
    `.values()`, a window for the total) compiling the query cost about three times as long as
    running it. The SQL is assembled from fixed fragments and each database's own lookup
    operators (`iexact`, `icontains`, as the ORM would write them); every value is a parameter.
    Tests run every filter, ordering and page on SQLite and PostgreSQL.
    """

    def __init__(self, values: dict):
        ops = connection.ops
        user = table(get_user_model())
        detail = table(DoctorDetail)
        self._convert_fee = column_converter(DoctorDetail, "consultation_fee")
        public, params = public_doctor_sql(user, detail)
        where = [public]
        column = {
            "id": f"{user}.id",
            "full_name": f"{user}.full_name",
            "specialization": f"{detail}.specialization",
            "experience_years": f"{detail}.experience_years",
            "consultation_fee": f"{detail}.consultation_fee",
            "location": f"{detail}.location",
            "bio": f"{detail}.bio",
        }
        if values.get("specialization"):
            where.append(_lookup(column["specialization"], "iexact"))
            params.append(ops.prep_for_iexact_query(values["specialization"]))
        if values.get("location"):
            where.append(_lookup(column["location"], "icontains"))
            params.append(_contains(values["location"]))
        for word in (values.get("search") or "").split():
            name_has = _lookup(column["full_name"], "icontains")
            specialization_has = _lookup(column["specialization"], "icontains")
            where.append(f"({name_has} OR {specialization_has})")
            params += [_contains(word), _contains(word)]
        if values.get("available"):
            exists, exists_params = free_future_slot_sql()
            where.append(exists if values["available"] == "true" else f"NOT {exists}")
            params += exists_params
        order = [
            f"{column[name.lstrip('-')]}{' DESC' if name.startswith('-') else ''}"
            for name in values.get("ordering") or ["full_name"]
        ]
        order.append(column["id"])
        self._from = (
            f"FROM {user} INNER JOIN {detail} ON ({user}.id = {detail}.doctor_id) "
            f"WHERE {' AND '.join(where)}"
        )
        self._select = ", ".join(column[name] for name in DIRECTORY_COLUMNS)
        # Prepared (healthcare/db/prepared.py), unless the availability probe runs over the
        # whole directory: PostgreSQL's generic plan for that one probes every doctor with
        # estimates made without the dates (32 ms against 18 on the bench data). With a filter
        # that narrows the doctors first, the generic plan is the custom one without its
        # 0.4 ms of planning (the filtered page: 1.4 -> 0.7 ms of PostgreSQL CPU).
        narrowed = any(values.get(name) for name in ("specialization", "location", "search"))
        self._prepare = narrowed or not values.get("available")
        self._order = ", ".join(order)
        self._params = params

    def page_with_total(self, offset: int, limit: int) -> list[dict]:
        """Rows `offset`…`offset + limit`, each carrying the filtered total as `TOTAL`."""
        # Fixed fragments and quoted names only; every value is a parameter (see __init__).
        sql = (
            f"SELECT {self._select}, COUNT(*) OVER () {self._from} "  # noqa: S608
            f"ORDER BY {self._order} LIMIT %s OFFSET %s"
        )
        with read_connection().cursor() as cursor:
            prepared.execute(cursor, sql, [*self._params, limit, offset], prepare=self._prepare)
            rows = cursor.fetchall()
        result = []
        for row in rows:
            item = dict(zip((*DIRECTORY_COLUMNS, TOTAL), row, strict=True))
            if self._convert_fee:
                item["consultation_fee"] = self._convert_fee(item["consultation_fee"])
            result.append(item)
        return result

    def count(self) -> int:
        with read_connection().cursor() as cursor:
            sql = f"SELECT COUNT(*) {self._from}"  # noqa: S608
            prepared.execute(cursor, sql, self._params, prepare=self._prepare)
            return cursor.fetchone()[0]


def _lookup(column: str, lookup: str) -> str:
    """`column <lookup> %s` as the ORM writes it on this database (casts, UPPER, ESCAPE)."""
    lhs = connection.ops.lookup_cast(lookup, "CharField") % column
    return f"{lhs} {connection.operators[lookup] % '%s'}"


def _contains(value: str) -> str:
    """The parameter of an `icontains` lookup: LIKE's wildcards in the value escaped."""
    return f"%{connection.ops.prep_for_like_query(value)}%"


def doctor_directory(*, filters=None) -> DoctorDirectory:
    """The public directory for these query parameters (validated: malformed → 400)."""
    return DoctorDirectory(doctor_filter_values(filters or {}))


def doctor_public_get(*, doctor_id: int, with_schedules: bool = True):
    """One public doctor (upcoming schedules prefetched unless told not to); 404 if not public."""
    queryset = doctor_public_queryset()
    if with_schedules:
        upcoming = DoctorSchedule.objects.filter(date__gte=timezone.localdate()).order_by(
            "date", "start_time", "id"
        )
        queryset = queryset.prefetch_related(Prefetch("schedules", queryset=upcoming))
    return get_object_or_404(queryset, pk=doctor_id)

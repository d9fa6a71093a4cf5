"""The hot paths' hand-written statements are prepared once per PostgreSQL connection and give
the same rows as the plain statement (healthcare/db/prepared.py)."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from healthcare.db import prepared
from healthcare.db.raw import Literal, literals, table
from users.models import User

postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statements are prepared on PostgreSQL only"
)


def _run(sql, params):
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchall()


def _plain(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Typed by where each placeholder stands, a LIKE with a literal percent sign, a date compared.
_SQL = (
    f"SELECT id, full_name, date_joined >= %s FROM {table(User)} "  # noqa: S608
    "WHERE id >= %s AND full_name LIKE 'A%%' ORDER BY id"
)


def _fresh(tag: str) -> str:
    """`_SQL` under a text no earlier test prepared (connections outlive a test)."""
    return f"{_SQL} /* {tag} */"


@pytest.fixture
def users(db):
    return [
        User.objects.create_user(mobile_number=f"+8801711{n:06d}", password=None, full_name=name)
        for n, name in enumerate(["Ayesha", "Bilal", "Anika"])
    ]


def _params(users):
    return [dt.datetime(2000, 1, 1, tzinfo=dt.UTC), users[0].pk]


@pytest.mark.django_db
def test_a_prepared_statement_returns_the_rows_of_the_plain_one(users):
    params = _params(users)
    expected = _plain(_SQL, params)
    assert [row[1] for row in expected] == ["Ayesha", "Anika"]

    assert _run(_SQL, params) == expected
    assert _run(_SQL, params) == expected


@postgres
@pytest.mark.django_db
def test_a_statement_is_prepared_on_first_use_and_then_only_executed(users):
    sql, params = _fresh("first use"), _params(users)
    with CaptureQueriesContext(connection) as first:
        _run(sql, params)
    with CaptureQueriesContext(connection) as second:
        _run(sql, params)

    name = connection.prepared_statements.names[sql]
    # One query each time: the PREPARE travels with the first EXECUTE.
    assert len(first) == 1
    assert first[0]["sql"].startswith(f"PREPARE {name} AS SELECT")
    assert len(second) == 1
    assert second[0]["sql"].startswith(f"EXECUTE {name}(")
    assert prepared.written_sql(connection, second[0]["sql"]) == sql


@postgres
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_starts_with_no_prepared_statements(users):
    _run(_SQL, _params(users))
    assert connection.prepared_statements.names

    connection.close()
    connection.ensure_connection()

    assert connection.prepared_statements.names == {}
    assert [row[1] for row in _run(_SQL, _params(users))] == ["Ayesha", "Anika"]


@postgres
@pytest.mark.django_db
def test_a_statement_whose_first_run_failed_is_prepared_again_under_a_new_name(users):
    # The PREPARE succeeds and the EXECUTE fails (a duplicate key): the name is taken on the
    # server but not recorded, so the next attempt must not reuse it.
    sql = f"INSERT INTO {table(User)} (password, is_superuser, mobile_number, full_name, email, role, is_active, date_joined) VALUES ('', false, %s, 'X', '', 'patient', true, now()) RETURNING id"  # noqa: E501, S608
    with pytest.raises(IntegrityError), transaction.atomic():
        _run(sql, [users[0].mobile_number])

    rows = _run(sql, ["+8801799000001"])

    assert User.objects.filter(pk=rows[0][0], mobile_number="+8801799000001").exists()


@postgres
@pytest.mark.django_db
def test_statements_run_unprepared_past_the_per_connection_limit(users, monkeypatch):
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 0)
    with CaptureQueriesContext(connection) as queries:
        rows = _run(_fresh("past the limit"), _params(users))

    assert [row[1] for row in rows] == ["Ayesha", "Anika"]
    assert queries[0]["sql"].startswith("SELECT")


@postgres
@pytest.mark.django_db(transaction=True)
def test_nothing_is_prepared_through_pgbouncer_in_transaction_mode(users, settings):
    settings.DATABASE_POOLER = "pgbouncer-transaction"
    connection.close()
    try:
        with CaptureQueriesContext(connection) as queries:
            rows = _run(_SQL, _params(users))
        assert connection.prepared_statements is None
        assert [row[1] for row in rows] == ["Ayesha", "Anika"]
        assert queries[0]["sql"].startswith("SELECT")
    finally:
        connection.close()


def test_literals_writes_code_values_as_quoted_strings():
    assert literals(["pending", "checked_in"]) == "'pending', 'checked_in'"


@pytest.mark.parametrize("value", ["x' OR '1'='1", "Pending", "", "a-b"])
def test_literals_refuses_anything_but_a_plain_code_value(value):
    with pytest.raises(ValueError, match="not a plain code value"):
        literals([value])


def test_an_orm_literal_is_written_into_the_sql_text():
    from appointments.models import AppointmentBooking

    queryset = AppointmentBooking.objects.filter(status__in=[Literal("pending"), Literal("done")])
    sql, params = queryset.query.sql_with_params()
    assert "IN ('pending', 'done')" in sql
    assert params == ()


def test_an_orm_literal_refuses_anything_but_a_plain_code_value():
    from appointments.models import AppointmentBooking

    queryset = AppointmentBooking.objects.filter(status__in=[Literal("x' OR '1'='1")])
    with pytest.raises(ValueError, match="not a plain code value"):
        queryset.query.sql_with_params()

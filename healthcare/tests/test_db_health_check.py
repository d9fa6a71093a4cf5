"""Persistent PostgreSQL connections: checked at each request without a round trip, and a
connection the server closed is replaced before the request's first query (no 500)."""

import time

import psycopg2
import pytest
from django.core.signals import request_started
from django.db import connection, connections

from users.models import User

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the backend under test is PostgreSQL's"
    ),
]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_the_project_uses_the_round_trip_free_backend():
    assert type(connections["default"]).__module__ == "healthcare.db.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_reused_connection_is_not_pinged(monkeypatch):
    _backend_pid()
    pings = []
    monkeypatch.setattr(connection, "is_usable", lambda: pings.append(1) or True)

    request_started.send(sender=None)
    pid = _backend_pid()

    assert pings == []
    assert pid == _backend_pid()


def test_a_connection_the_server_closed_is_replaced_before_the_next_query():
    old_pid = _backend_pid()
    _terminate(old_pid)
    # The server's goodbye arrives asynchronously; a real request comes later than this anyway.
    deadline = time.monotonic() + 5
    while connection._idle_connection_looks_healthy() and time.monotonic() < deadline:
        time.sleep(0.02)

    request_started.send(sender=None)
    count = User.objects.count()

    assert count == 0
    assert _backend_pid() != old_pid

"""How PostgreSQL runs the directory's availability probe: always one probe per doctor (never a
join over every schedule of the horizon), without JIT, and prepared only where its generic plan
is the custom one (doctors/selectors.py, appointments/selectors.py)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from doctors.selectors import doctor_directory
from doctors.tests.factories import DoctorFactory, ScheduleFactory
from healthcare.db import prepared

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner"),
]

URL = "/api/doctors/"


def test_the_apps_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_no_startup_option_is_sent_through_pgbouncer(settings):
    settings.DATABASE_POOLER = "pgbouncer-transaction"
    assert "jit" not in connection.get_connection_params().get("options", "")


def test_the_availability_probe_is_never_turned_into_a_join():
    for _ in range(3):
        ScheduleFactory()
    directory = doctor_directory(filters={"available": "true"})
    sql = f"SELECT COUNT(*) {directory._from}"  # noqa: S608
    # Nested loops off: a probe the planner could pull up into a semi join would become a
    # merge or hash semi join over every schedule of the horizon now.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(f"EXPLAIN {sql}", directory._params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Semi Join" not in plan
    assert "SubPlan" in plan


def _statements(client, query):
    client.get(URL, query)  # prepared on first use, if at all
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, query).status_code == 200
    return [q["sql"].split()[0] for q in queries]


def test_a_narrowed_directory_query_runs_prepared():
    ScheduleFactory(doctor=DoctorFactory())
    query = {"specialization": "Cardiology", "available": "true"}
    assert _statements(APIClient(), query) == ["EXECUTE"]


def test_the_whole_directorys_availability_query_is_planned_each_time():
    ScheduleFactory(doctor=DoctorFactory())
    assert _statements(APIClient(), {"available": "true"}) == ["SELECT"]


def test_the_prepared_probe_counts_bookings_by_the_partial_unique_index():
    # The statuses are literals in the prepared text (healthcare/db/raw.Literal): a generic plan
    # can match `status IN ('pending', …)` with the index's predicate, never `status IN ($1, …)`.
    ScheduleFactory(doctor=DoctorFactory())
    client, query = APIClient(), {"specialization": "Cardiology", "available": "true"}
    client.get(URL, query)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, query)
    (logged,) = [q["sql"] for q in queries]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {prepared.executed_sql(logged)}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "appointment_unique_active_slot" in plan

"""Settings for scale-out: a read replica (DATABASE_REPLICA_URL) and PgBouncer (DATABASE_POOLER)."""

import json

from healthcare.tests.test_settings import production_env, run

PRIMARY = "postgresql://app@127.0.0.1:6432/healthcare"
REPLICA = "postgresql://app@127.0.0.1:6432/healthcare_replica"

PROBE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "ROUTERS": settings.DATABASE_ROUTERS,
    "MIDDLEWARE": settings.MIDDLEWARE,
    "ALIASES": sorted(settings.DATABASES),
    "SERVER_SIDE_CURSORS_OFF": {
        alias: db.get("DISABLE_SERVER_SIDE_CURSORS", False)
        for alias, db in settings.DATABASES.items()
    },
    "ENGINES": {alias: db["ENGINE"] for alias, db in settings.DATABASES.items()},
    "CONN_MAX_AGE": {alias: db["CONN_MAX_AGE"] for alias, db in settings.DATABASES.items()},
    "REPLICA_MAX_LAG_SECONDS": settings.REPLICA_MAX_LAG_SECONDS,
}))
"""

MIDDLEWARE = "healthcare.db.router.ReadYourWritesMiddleware"


def _probe(**env):
    result = run(["-c", PROBE], production_env(**env))
    return result, (json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout else None)


def test_a_replica_url_installs_the_router_and_the_read_your_writes_middleware():
    _, values = _probe(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA)
    assert values["ROUTERS"] == ["healthcare.db.router.ReplicaRouter"]
    assert MIDDLEWARE in values["MIDDLEWARE"]
    assert values["ALIASES"] == ["default", "replica"]


def test_the_replica_uses_the_projects_postgresql_backend():
    _, values = _probe(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA)
    assert values["ENGINES"]["replica"] == "healthcare.db.postgresql"


def test_without_a_replica_url_there_is_one_database_and_no_router():
    _, values = _probe(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=None)
    assert values["ALIASES"] == ["default"]
    assert values["ROUTERS"] == []
    assert MIDDLEWARE not in values["MIDDLEWARE"]


def test_the_lag_limit_comes_from_the_environment():
    _, values = _probe(
        DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA, REPLICA_MAX_LAG_SECONDS="1.5"
    )
    assert values["REPLICA_MAX_LAG_SECONDS"] == 1.5


def test_a_replica_needs_the_primary_on_postgresql():
    result, _ = _probe(
        DATABASE_URL="sqlite:///tmp-never-created.sqlite3", DATABASE_REPLICA_URL=REPLICA
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL" in result.stderr


def test_pgbouncer_transaction_pooling_turns_off_server_side_cursors_on_every_database():
    _, values = _probe(
        DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA, DATABASE_POOLER="pgbouncer-transaction"
    )
    assert values["SERVER_SIDE_CURSORS_OFF"] == {"default": True, "replica": True}


def test_connections_to_pgbouncer_stay_persistent():
    _, values = _probe(DATABASE_URL=PRIMARY, DATABASE_POOLER="pgbouncer-transaction")
    assert values["CONN_MAX_AGE"]["default"] > 0


def test_server_side_cursors_stay_on_without_a_pooler():
    _, values = _probe(DATABASE_URL=PRIMARY, DATABASE_POOLER=None)
    assert values["SERVER_SIDE_CURSORS_OFF"] == {"default": False}


def test_an_unknown_pooler_is_refused():
    result, _ = _probe(DATABASE_URL=PRIMARY, DATABASE_POOLER="pgbouncer-session")
    assert result.returncode != 0
    assert "DATABASE_POOLER must be unset or 'pgbouncer-transaction'" in result.stderr

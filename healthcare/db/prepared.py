"""The hand-written statements of hot paths, prepared once per PostgreSQL connection.

PostgreSQL plans every statement it receives as text, and for these short statements planning
costs more than running: the slot list's query takes about 0.27 ms to plan and 0.08 ms to run
(EXPLAIN's summary on the benchmark's data). A prepared statement is parsed once per
connection, and after five runs PostgreSQL keeps one generic plan for it unless that plan is
estimated to cost more than the ones made for the actual values (`plan_cache_mode = auto`).

The first run on a connection sends `PREPARE …; EXECUTE …` as one query (one round trip, one
entry in Django's query log, as before); later runs send only `EXECUTE name(values)`. Values
still travel as psycopg2's quoted literals, and each placeholder takes its type from where it
stands (a column compared with it, a column inserted into), so the statements must give every
placeholder such a place. A prepared statement outlives a rolled-back transaction
(PREPARE is not transactional) and dies with its connection; the backend
(healthcare/db/postgresql) starts each new connection with none.

Not prepared: on SQLite (Python's sqlite3 keeps its own statement cache) and through PgBouncer
in transaction mode (`DATABASE_POOLER`), where the next transaction may run on a server
connection that never saw the PREPARE.
"""

import itertools
import re

# Distinct statement texts kept per connection: the directory's filter combinations and the
# outbox's row counts give a few dozen; past this, statements run unprepared.
MAX_PER_CONNECTION = 200

_PLACEHOLDER = re.compile(r"%[s%]")


class PreparedStatements:
    """The statements prepared on one connection: their names by SQL text."""

    def __init__(self):
        self.names: dict[str, str] = {}
        # Never reused: a PREPARE whose EXECUTE failed (a unique violation, say) left its name
        # taken on the server without being recorded here.
        self._numbers = itertools.count()

    def new_name(self) -> str:
        return f"hc_{next(self._numbers)}"


def execute(cursor, sql: str, params, *, prepare: bool = True) -> None:
    """Run `sql` (placeholders `%s`, a literal percent `%%`) with `params` on `cursor`,
    prepared unless the connection can't have it or the caller says not to (`prepare`: a
    statement whose generic plan is worse than planning it each time)."""
    params = list(params or ())
    prepared = getattr(cursor.db, "prepared_statements", None)
    if prepared is None or not prepare:
        cursor.execute(sql, params)
        return
    name = prepared.names.get(sql)
    run = f"EXECUTE {{name}}({', '.join(['%s'] * len(params))})" if params else "EXECUTE {name}"
    if name is not None:
        cursor.execute(run.format(name=name), params)
        return
    if len(prepared.names) >= MAX_PER_CONNECTION:
        cursor.execute(sql, params)
        return
    name = prepared.new_name()
    numbers = iter(range(1, len(params) + 1))
    body = _PLACEHOLDER.sub(lambda m: "%%" if m[0] == "%%" else f"${next(numbers)}", sql)
    # One query, so one round trip and one entry in Django's query log. `body` is sent through
    # the same interpolation as the values, so its own percent signs stay doubled.
    cursor.execute(f"PREPARE {name} AS {body}; {run.format(name=name)}", params)
    prepared.names[sql] = name


# What `execute` sends, as Django's query log shows it: the first run `PREPARE name AS …;
# EXECUTE name(…)`, later runs `EXECUTE name(…)`.
_LOGGED = re.compile(r"(?:PREPARE \w+ AS .*?; )?(EXECUTE (\w+)\b.*)", re.DOTALL)


def written_sql(db, logged: str) -> str:
    """The statement as written (placeholders `%s`) behind an entry of Django's query log that
    ran it prepared; any other entry as it is. For tests and the benchmark's report, which look
    at what ran."""
    match = _LOGGED.fullmatch(logged.strip())
    prepared = getattr(db, "prepared_statements", None)
    if match is None or prepared is None:
        return logged
    by_name = {name: sql for sql, name in prepared.names.items()}
    return by_name.get(match[2], logged)


def executed_sql(logged: str) -> str:
    """The part of a query-log entry that runs the statement once more (`EXECUTE name(…)`, the
    PREPARE left out): what `EXPLAIN` can be asked of. Any other entry as it is."""
    match = _LOGGED.fullmatch(logged.strip())
    return match[1] if match else logged

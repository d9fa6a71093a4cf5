"""PostgreSQL backend whose connection health check costs no round trip, and which keeps the
names of the statements prepared on each connection (healthcare/db/prepared.py).

Django's `CONN_HEALTH_CHECKS` runs `SELECT 1` before the first query of every request that reuses
a persistent connection: a whole round trip per request (9–15 % of a cheap endpoint's time in the
benchmark). A server that closes an idle connection (restart, `pg_terminate_backend`, idle
timeout) tells the client so by sending a message and closing the socket, which makes the
socket readable. So: an idle connection whose socket has nothing to read is healthy; only one
with something to read (or an error) gets the real `SELECT 1`, and is replaced if that fails.
"""

import select

from django.conf import settings
from django.db.backends.postgresql import base

from healthcare.db.prepared import PreparedStatements


class DatabaseWrapper(base.DatabaseWrapper):
    # The hand-written hot statements prepared on the current connection (healthcare/db/
    # prepared.py); None where they can't be: through PgBouncer in transaction mode.
    prepared_statements = None

    def get_connection_params(self):
        params = super().get_connection_params()
        # No JIT: it compiles any statement estimated above `jit_above_cost`, 50–300 ms that
        # the short statements of a web request never win back (the directory's probe,
        # appointments/selectors.py, is estimated there). Through PgBouncer a startup option
        # is refused: its servers are configured with `jit = off` instead (docs/deploy.md).
        if not settings.DATABASE_POOLER:
            params["options"] = f"{params.get('options', '')} -c jit=off".strip()
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        self.prepared_statements = None if settings.DATABASE_POOLER else PreparedStatements()
        return connection

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self._idle_connection_looks_healthy() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _idle_connection_looks_healthy(self) -> bool:
        if self.connection.closed:
            return False
        try:
            poller = select.poll()
            events = select.POLLIN | select.POLLERR | select.POLLHUP
            poller.register(self.connection.fileno(), events)
            return not poller.poll(0)
        except (OSError, ValueError):
            return False

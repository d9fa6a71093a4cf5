"""Reads of safe requests from a streaming replica, when one is configured (`DATABASE_REPLICA_URL`).

Installed only with a replica: without one, settings add neither the router nor the middleware
and every query goes to `default` as before.

What may read from the replica: ORM reads made while serving a GET, HEAD or OPTIONS request, by
a client that has not written in the last few seconds, outside any transaction, while the
replica is streaming and not lagging more than `REPLICA_MAX_LAG_SECONDS`. Everything else uses
the primary (`default`): writes, `select_for_update` (Django routes it as a write), reads inside
`transaction.atomic`, reads of unsafe requests, reads outside a request (management commands,
workers), and all reads while the replica is down, promoted or behind.

Read-your-writes across app nodes: after any unsafe request the middleware leaves a marker in
the shared cache (Redis) for the client, keyed by the bearer token's user or, for a client
without one, by its IP; for `pin_seconds()` that client's reads go to the primary, whichever
node serves them. A bearer token issued in that window pins too (a sign-in is a write, and a
just-registered user is not on the replica yet). The window outlasts the largest lag the router
accepts plus the age of its lag verdict, so a read after it sees the write on the replica.
The hand-written SQL of the hot paths reads through `read_connection()` to follow the same rule.
"""

import math
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from redis.exceptions import RedisError
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken

from healthcare.api.middleware import client_ip_from_request

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# How long a lag verdict is trusted before the replica is asked again (per process).
VERDICT_SECONDS = 1.0
# Sent to the replica at most once per VERDICT_SECONDS per process: is it a streaming standby,
# and how far behind is its replay? Caught up (all received WAL replayed) counts as no lag: on a
# quiet primary the last replayed commit grows old without the replica falling behind. Reading
# pg_stat_wal_receiver's status needs pg_read_all_stats (granted to the app's role); without it
# the status reads NULL and the replica is never used.
LAG_SQL = """SELECT pg_is_in_recovery(),
    (SELECT status FROM pg_stat_wal_receiver),
    pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn(),
    EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())"""


def pin_seconds() -> float:
    """How long a client's reads stay on the primary after it wrote."""
    return settings.REPLICA_MAX_LAG_SECONDS + VERDICT_SECONDS + 1.0


def replica_is_usable(row, *, max_lag: float) -> bool:
    """The verdict on one LAG_SQL row: a streaming standby whose replay is within `max_lag`."""
    in_recovery, receiver_status, caught_up, replay_age = row
    if not in_recovery or receiver_status != "streaming":
        return False
    if caught_up:
        return True
    return replay_age is not None and float(replay_age) <= max_lag


class ReplicaHealth:
    """This process's cached verdict on the replica, refreshed at most every VERDICT_SECONDS."""

    def __init__(self):
        self._lock = threading.Lock()
        self._usable = False
        self._checked_at = float("-inf")

    def usable(self) -> bool:
        now = time.monotonic()
        if now - self._checked_at < VERDICT_SECONDS:
            return self._usable
        with self._lock:
            if now - self._checked_at >= VERDICT_SECONDS:
                self.remember(self._ask_replica())
            return self._usable

    def remember(self, usable: bool, *, at: float | None = None) -> None:
        self._usable = usable
        self._checked_at = time.monotonic() if at is None else at

    def forget(self) -> None:
        self._checked_at = float("-inf")

    @staticmethod
    def _ask_replica() -> bool:
        if REPLICA not in settings.DATABASES:
            return False
        replica = connections[REPLICA]
        try:
            with replica.cursor() as cursor:
                cursor.execute(LAG_SQL)
                row = cursor.fetchone()
        except DatabaseError:
            # Down, unreachable or refusing: read from the primary until the next check; the
            # broken connection is dropped so the next check connects afresh.
            replica.close()
            return False
        return replica_is_usable(row, max_lag=settings.REPLICA_MAX_LAG_SECONDS)


replica_health = ReplicaHealth()


@dataclass(frozen=True)
class ReadPolicy:
    """What the current request allows its reads: the replica, or the primary only."""

    replica_allowed: bool


_policy: ContextVar[ReadPolicy | None] = ContextVar("read_policy", default=None)


def read_alias() -> str:
    """The alias a read made now should use (the router's rule, for hand-written SQL too)."""
    policy = _policy.get()
    # Only the middleware sets a policy, and settings install it only with a replica.
    if policy is None or not policy.replica_allowed:
        return DEFAULT_DB_ALIAS
    # A transaction on the primary must read what it (and the locks it took) sees.
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if replica_health.usable() else DEFAULT_DB_ALIAS


def read_connection():
    """The connection for a hand-written read query made now."""
    return connections[read_alias()]


class ReplicaRouter:
    """Database router: safe requests' reads to the replica when allowed, the rest primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # One database and its copy: objects from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's WAL; it is never migrated itself.
        return db == DEFAULT_DB_ALIAS


@dataclass(frozen=True)
class _Client:
    """Who sent a request, for read-your-writes: the bearer token's user, else the client IP."""

    marker_key: str
    signed_in_recently: bool

    @classmethod
    def of(cls, request) -> "_Client":
        token = _bearer_token(request)
        user_id = None if token is None else token.get(jwt_settings.USER_ID_CLAIM)
        if user_id is None:
            return cls(f"read-your-writes:ip:{client_ip_from_request(request)}", False)
        issued = token.get("iat")
        recent = isinstance(issued, int | float) and time.time() - issued < pin_seconds()
        return cls(f"read-your-writes:user:{user_id}", recent)


def _bearer_token(request) -> AccessToken | None:
    header = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(header) != 2 or header[0] not in jwt_settings.AUTH_HEADER_TYPES:
        return None
    try:
        # Verified (signature, expiry) so nobody can pin or unpin someone else's reads.
        return AccessToken(header[1])
    except TokenError:
        return None


class ReadYourWritesMiddleware:
    """Sets each request's read policy, and pins a client's reads to the primary after it writes.

    A marker store that fails (Redis down) pins: the primary is always correct, only busier.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in SAFE_METHODS
        client = _Client.of(request)
        allowed = safe and not self._pinned(client)
        token = _policy.set(ReadPolicy(replica_allowed=allowed))
        try:
            response = self.get_response(request)
        finally:
            _policy.reset(token)
        if not safe:
            self._pin(client)
        return response

    @staticmethod
    def _pinned(client: _Client) -> bool:
        if client.signed_in_recently:
            return True
        try:
            return cache.get(client.marker_key) is not None
        except (RedisError, OSError):
            return True

    @staticmethod
    def _pin(client: _Client) -> None:
        try:
            cache.set(client.marker_key, 1, timeout=math.ceil(pin_seconds()))
        except (RedisError, OSError):
            # Nothing to remember it in: the next reads may miss this write for up to the
            # replica's lag. Better than failing a request whose write has committed.
            return

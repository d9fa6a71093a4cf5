"""Retries that are safe: the `Idempotency-Key` header of the appointment POST actions.

The first answer of an action (its 2xx, or a 400 of its own booking rules) is stored per user and
key, in the same transaction as the action's own changes, so a crash can never leave a booking
without its stored answer. A repeat with the same key, path and body gets that answer again
(`Idempotent-Replayed: true`) and does nothing else; the same key with another path or body is a
422 `idempotency_key_reused`. "In flight" is the first transaction's uncommitted row: a
concurrent insert of the same (user, key) waits on the unique index for at most
`LOCK_WAIT_MS`, then answers 409 `idempotency_in_flight`; if the first rolls back, its row
never existed. Answers given before the action ran (401, 403, 404, 413, 415, 429, unparseable
bodies, invalid input), 5xx and 409s are not stored: they are raised through this wrapper,
which rolls the key's row back with them.
"""

import datetime as dt
import functools
import hashlib
import json

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from appointments.models import IdempotencyRecord
from healthcare.errors import Refusal

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP = dt.timedelta(hours=24)
# How long a repeat waits for the first request's transaction before answering 409: a booking
# takes milliseconds, so a short wait turns most overlapping retries into a replay.
LOCK_WAIT_MS = 1000
KEY_INVALID = "Idempotency-Key must be 1–255 visible ASCII characters."


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used for another request (path or body)."
    default_code = "idempotency_key_reused"


class IdempotencyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."
    default_code = "idempotency_in_flight"


def parse_key(raw: str) -> str:
    """The key of the header: one pair of surrounding double quotes (the IETF draft's
    structured-field string) is dropped; then 1–255 visible ASCII characters, or a 400."""
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        raw = raw[1:-1]
    if not 1 <= len(raw) <= 255 or not all("!" <= ch <= "~" for ch in raw):
        raise Refusal.of(None, "idempotency_key_invalid", KEY_INVALID)
    return raw


def fingerprint(request) -> str:
    """sha256 of the method, the path and the body as sorted-keys JSON (no body: `{}`)."""
    data = request.data if request.data else {}
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=JSONEncoder)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(json.loads(record.body), status=record.status_code)
    response[REPLAYED_HEADER] = "true"
    return response


def _is_lock_timeout(exc: OperationalError) -> bool:
    """PostgreSQL's lock_not_available (55P03), whichever psycopg raised it."""
    cause = exc.__cause__
    return "55P03" in (getattr(cause, "sqlstate", None), getattr(cause, "pgcode", None))


def _claim(user, key: str, print_: str) -> IdempotencyRecord | Response:
    """Insert the key's row (our lock), or the stored answer to replay; 409/422 as raised."""
    # An expired record no longer binds its key (the daily purge may not have run yet).
    expired = timezone.now() - KEEP
    IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=expired).delete()
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            (previous,) = cursor.fetchone()
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{LOCK_WAIT_MS}ms"])
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, fingerprint=print_)
    except OperationalError as exc:
        if not _is_lock_timeout(exc):
            raise
        # Race: the first request's transaction still holds the (user, key) index entry.
        raise IdempotencyInFlight from exc
    except IntegrityError:
        # Race lost to a committed first request: its answer is stored; replay or refuse it.
        record = IdempotencyRecord.objects.get(user=user, key=key)
        if record.fingerprint != print_:
            raise IdempotencyKeyReused from None
        return _replay(record)
    finally:
        if postgres:
            with connection.cursor() as cursor:
                # Only the key's insert waits briefly; the action keeps the server's lock wait.
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])


def idempotent(handler):
    """Wrap a view's `post` so an `Idempotency-Key` makes its retries safe (module docstring)."""

    @functools.wraps(handler)
    def post(self, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return handler(self, request, *args, **kwargs)
        key = parse_key(raw)
        print_ = fingerprint(request)
        with transaction.atomic():
            claimed = _claim(request.user, key, print_)
            if isinstance(claimed, Response):
                return claimed
            with transaction.atomic():
                try:
                    response = handler(self, request, *args, **kwargs)
                except Refusal as exc:
                    # The action's own rule refused it: its changes roll back with this
                    # savepoint (the handler marks it), and the 400 is stored as the answer.
                    response = self.handle_exception(exc)
            claimed.status_code = response.status_code
            claimed.body = json.dumps(response.data, cls=JSONEncoder)
            claimed.save(update_fields=["status_code", "body"])
        return response

    return post


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete the records older than 24 hours; how many went."""
    cutoff = (now or timezone.now()) - KEEP
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

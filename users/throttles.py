"""Brute-force guards for sign-in and registration (rates from the THROTTLE_* settings)."""

import contextlib
import hashlib
import math

from django.core.cache import cache
from django.core.exceptions import ValidationError
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from healthcare.api.middleware import client_ip_from_request
from healthcare.api.throttling import FailClosedMixin
from users.phone import normalize_mobile_number


class AttemptLimit:
    """At most `THROTTLE_RATES[scope]` attempts per window for one ident, counted in the cache.

    A fixed window counted with `add` + `incr`, which are atomic in Redis (and in local memory):
    an attempt is counted before the password is checked, so a burst of parallel guesses can't
    all pass the check before any of them is recorded. `refund` takes one back (a successful
    sign-in does not count against its number). Cache errors propagate: the caller fails closed.
    """

    def __init__(self, scope: str, ident: str, *, now: float):
        rate = SimpleRateThrottle.THROTTLE_RATES[scope]
        self.limit, self.duration = SimpleRateThrottle.parse_rate(None, rate)
        window = int(now // self.duration)
        self.key = f"throttle_{scope}_{ident}_{window}"
        self.wait = max(1, math.ceil((window + 1) * self.duration - now))

    def take(self) -> None:
        """Count one attempt; raise Throttled (429, Retry-After) past the limit."""
        cache.add(self.key, 0, timeout=self.duration + 1)
        try:
            count = cache.incr(self.key)
        except ValueError:
            # Race: the window's key expired between `add` and `incr`.
            cache.add(self.key, 0, timeout=self.duration + 1)
            count = cache.incr(self.key)
        if count > self.limit:
            raise Throttled(wait=self.wait)

    def refund(self) -> None:
        # A ValueError means the window has passed: nothing left to take back.
        with contextlib.suppress(ValueError):
            cache.decr(self.key)


def number_ident(raw) -> str:
    """The per-number key: every form of one number is one key, hashed so the cache never
    holds a readable phone number."""
    try:
        number = normalize_mobile_number(raw)
    except ValidationError:
        number = str(raw)[:64]
    return hashlib.sha256(number.encode()).hexdigest()[:32]


def login_limits(request, mobile_number, *, now: float) -> tuple[AttemptLimit, AttemptLimit]:
    """The two sign-in guards: per client IP (every attempt), per mobile number (failures)."""
    return (
        AttemptLimit("login_ip", client_ip_from_request(request) or "unknown", now=now),
        AttemptLimit("login_number", number_ident(mobile_number), now=now),
    )


class RegisterThrottle(FailClosedMixin, SimpleRateThrottle):
    """Registrations per client IP; 503 rather than unlimited sign-ups when the cache is down."""

    scope = "register"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

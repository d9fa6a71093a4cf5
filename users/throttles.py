"""Brute-force guards for sign-in and registration (rates from the THROTTLE_* settings)."""

import hashlib

from django.core.exceptions import ValidationError
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from healthcare.api.middleware import client_ip_from_request
from healthcare.api.throttling import FailClosedMixin, RateWindow
from users.phone import normalize_mobile_number


class AttemptLimit(RateWindow):
    """At most `THROTTLE_RATES[scope]` attempts per window for one ident.

    An attempt is counted before the password is checked, so a burst of parallel guesses can't
    all pass the check before any of them is recorded. `refund` takes one back (a successful
    sign-in does not count against its number). Cache errors propagate: the caller fails closed.
    """

    def __init__(self, scope: str, ident: str, *, now: float):
        limit, duration = SimpleRateThrottle.parse_rate(
            None, SimpleRateThrottle.THROTTLE_RATES[scope]
        )
        super().__init__(f"throttle_{scope}_{ident}", limit=limit, duration=duration, now=now)

    def take(self) -> None:
        """Count one attempt; raise Throttled (429, Retry-After) past the limit."""
        if not self.hit():
            raise Throttled(wait=self.wait)


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

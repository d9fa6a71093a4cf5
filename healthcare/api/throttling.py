"""Throttles: counted atomically in fixed windows, and outliving a cache outage.

Every throttle (DRF's classes for anonymous, signed-in, booking and registration requests, and
the sign-in guards) keeps DRF's rate strings and cache keys and counts with `RateWindow`: one
atomic increment per request, so parallel requests can't slip past a limit together.

Throttle counters live in the cache (Redis in production). When it can't be reached, the API
keeps serving: an outage of the rate limiter must not become an outage of the clinic, so the
ordinary throttles let requests through (fail open). The guards in front of password checks and
account creation fail closed instead (503 with Retry-After): without their counters they would
allow unlimited guessing.
"""

import contextlib
import logging
import math

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework import status, throttling
from rest_framework.exceptions import APIException

logger = logging.getLogger(__name__)

# What a cache that can't be reached raises: redis-py's own errors, and socket errors from a
# backend that doesn't wrap them.
CACHE_ERRORS = (RedisError, OSError)

# A cache outage is usually a restart or a failover: seconds, not minutes.
CACHE_RETRY_AFTER_SECONDS = 30


class CacheUnavailable(APIException):
    """503 for a guard that can't count (its cache is down); carries Retry-After."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "This is briefly unavailable. Try again shortly."
    default_code = "service_unavailable"

    def __init__(self, detail=None, code=None, wait: int = CACHE_RETRY_AFTER_SECONDS):
        super().__init__(detail, code)
        # DRF's exception handler turns `wait` into the Retry-After header.
        self.wait = wait


def log_cache_error(exc: Exception, *, failing: str) -> None:
    # The exception's class only: its text may carry the cache URL, password included.
    logger.warning("Cache unreachable (%s); throttles fail %s", type(exc).__name__, failing)


def count_hit(key: str, timeout: int) -> int:
    """Add one to the counter at `key` (made at 0, to live `timeout` seconds, if missing); the
    new count. Atomic: on Redis one round trip (healthcare/cache.py), in local memory `add` then
    `incr`, each under the cache's lock."""
    count = getattr(cache, "count", None)
    if count is not None:
        return count(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # The counter expired between `add` and `incr`.
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


class RateWindow:
    """At most `limit` hits per `duration` seconds for one key: the current fixed window's hits,
    counted in the cache.

    A hit is counted before it is judged, in one atomic step, so a burst of parallel requests
    can't all read the same count and pass together. (DRF's own throttles read a list of
    timestamps and write it back: parallel requests overwrite each other's entries, and a burst
    across workers passes the limit.) Cache errors propagate: the caller decides open or closed.
    """

    def __init__(self, key: str, *, limit: int, duration: int, now: float):
        window = int(now // duration)
        self.limit = limit
        self.duration = duration
        self.key = f"{key}_{window}"
        # Retry-After: until this window ends.
        self.wait = max(1, math.ceil((window + 1) * duration - now))

    def hit(self) -> bool:
        """Count one hit; whether it is within the limit."""
        return count_hit(self.key, self.duration + 1) <= self.limit

    def refund(self) -> None:
        """Take one hit back (a ValueError means its window has passed: nothing to take)."""
        with contextlib.suppress(ValueError):
            cache.decr(self.key)


class WindowThrottleMixin:
    """A DRF throttle's rate (`THROTTLE_RATES[scope]`) and cache key, counted as a `RateWindow`;
    when its cache is down, the request goes through (`fails_open`) or is refused with 503."""

    fails_open: bool

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.window = RateWindow(
            key, limit=self.num_requests, duration=self.duration, now=self.timer()
        )
        try:
            return self.window.hit()
        except CACHE_ERRORS as exc:
            log_cache_error(exc, failing="open" if self.fails_open else "closed")
            if self.fails_open:
                return True
            raise CacheUnavailable() from exc

    def wait(self):
        return self.window.wait


class FailOpenMixin(WindowThrottleMixin):
    """Lets the request through when the cache is down."""

    fails_open = True


class FailClosedMixin(WindowThrottleMixin):
    """Refuses with 503 when the cache is down."""

    fails_open = False


class AnonRateThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    """Anonymous requests per client IP (`THROTTLE_ANON`), failing open."""


class UserRateThrottle(FailOpenMixin, throttling.UserRateThrottle):
    """Signed-in requests per user (`THROTTLE_USER`), failing open."""

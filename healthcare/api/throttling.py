"""Throttles that outlive a cache outage (SECURITY.md "What fails open, what fails closed").

Throttle counters live in the cache (Redis in production). When it can't be reached, the API
keeps serving: an outage of the rate limiter must not become an outage of the clinic, so the
ordinary throttles let requests through (fail open). The guards in front of password checks and
account creation fail closed instead (503 with Retry-After): without their counters they would
allow unlimited guessing.
"""

import logging

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


class CacheOutageMixin:
    """One throttle's answer when its cache is down: let the request through (`fails_open`) or
    refuse it with 503."""

    fails_open: bool

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            log_cache_error(exc, failing="open" if self.fails_open else "closed")
            if self.fails_open:
                return True
            raise CacheUnavailable() from exc


class FailOpenMixin(CacheOutageMixin):
    """Lets the request through when the cache is down."""

    fails_open = True


class FailClosedMixin(CacheOutageMixin):
    """Refuses with 503 when the cache is down."""

    fails_open = False


class AnonRateThrottle(FailOpenMixin, throttling.AnonRateThrottle):
    """DRF's anonymous-request throttle (`THROTTLE_ANON`), failing open."""


class UserRateThrottle(FailOpenMixin, throttling.UserRateThrottle):
    """DRF's signed-in-request throttle (`THROTTLE_USER`), failing open."""

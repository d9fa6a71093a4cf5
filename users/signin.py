"""Password sign-in: the one path behind `/api/token/`, `/admin/login/` and `/api-auth/login/`.

Each way in shares the same guards (per client IP and per mobile number, THROTTLE_LOGIN_*) and
writes the same `login_succeeded` / `login_failed` audit entries, so no door is left where
passwords can be guessed without limit or without a trace.
"""

import time
from collections.abc import Callable

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError

from healthcare.api.throttling import CACHE_ERRORS, CacheUnavailable, log_cache_error
from healthcare.events import emit
from users.models import User
from users.phone import mask_mobile_number, normalize_mobile_number
from users.throttles import login_limits


def password_sign_in(
    *,
    request,
    mobile_number: str,
    password: str,
    via: str,
    allowed: Callable[[User], bool] | None = None,
) -> User | None:
    """Check a mobile number and password behind the sign-in throttles; audit the outcome.

    Returns the user, or None for any failure (wrong password, unknown or malformed number,
    inactive account, or one `allowed` refuses). Raises DRF's `Throttled` (429) or
    `CacheUnavailable` (503: never unthrottled) before the password is looked at. Only failures
    count against the number; every attempt counts against the IP.
    """
    ip_limit, number_limit = login_limits(request, mobile_number, now=time.time())
    try:
        ip_limit.take()
        number_limit.take()
    except CACHE_ERRORS as exc:
        log_cache_error(exc, failing="closed")
        raise CacheUnavailable("Signing in is briefly unavailable. Try again shortly.") from exc
    user = authenticate(request=request, mobile_number=mobile_number, password=password)
    if user is None or not user.is_active or (allowed is not None and not allowed(user)):
        emit(
            "login_failed",
            object_type="user",
            object_id=_account_id(mobile_number),
            details={"mobile_number": _masked(mobile_number), "via": via},
        )
        return None
    try:
        number_limit.refund()
    except CACHE_ERRORS as exc:
        # The attempt stays counted for this window; the sign-in itself succeeded.
        log_cache_error(exc, failing="closed")
    emit("login_succeeded", actor=user, obj=user, details={"via": via})
    return user


def _account_id(mobile_number: str):
    try:
        normalized = normalize_mobile_number(mobile_number)
    except DjangoValidationError:
        return None
    return User.objects.filter(mobile_number=normalized).values_list("pk", flat=True).first()


def _masked(mobile_number: str) -> str:
    try:
        return mask_mobile_number(normalize_mobile_number(mobile_number))
    except DjangoValidationError:
        return mask_mobile_number(str(mobile_number)[:32])

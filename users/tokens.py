"""Refresh tokens in families: every token rotated from one sign-in carries that sign-in's id.

A refresh token is single-use (rotation). One presented again after it was rotated is either a
retry (two tabs, a lost response: within `JWT_REUSE_GRACE_SECONDS`) or a copy in someone else's
hands. Past the grace window every live token of its family is revoked, so the thief and the
victim both lose the session and the victim signs in again (SECURITY.md "Token model").
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

FAMILY_CLAIM = "family"


class PresentedRefreshToken(RefreshToken):
    """A refresh token as a client presents it: signature, expiry and type are checked, but not
    the blacklist, which the rotation reads itself to tell a reuse from a forgery."""

    def check_blacklist(self) -> None:
        return None


def family_of(token) -> str:
    """The family id: the first token's `jti` (tokens minted before families: their own)."""
    return str(token.get(FAMILY_CLAIM) or token[jwt_settings.JTI_CLAIM])


def refresh_token_issue(*, user, family: str | None = None) -> RefreshToken:
    """A new refresh token for `user`, recorded as outstanding; a new family unless given one."""
    token = RefreshToken()
    token[jwt_settings.USER_ID_CLAIM] = str(getattr(user, jwt_settings.USER_ID_FIELD))
    token[FAMILY_CLAIM] = family or token[jwt_settings.JTI_CLAIM]
    # Stored after the claims are set: the family is read back from the stored text.
    OutstandingToken.objects.create(
        user=user,
        jti=token[jwt_settings.JTI_CLAIM],
        token=str(token),
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
    )
    return token


def reuse_is_past_grace(revoked: BlacklistedToken) -> bool:
    """Was this token revoked longer ago than a concurrent retry could explain?"""
    grace = dt.timedelta(seconds=settings.JWT_REUSE_GRACE_SECONDS)
    return timezone.now() - revoked.blacklisted_at > grace


def family_revoke(*, user_id, family: str) -> int:
    """Revoke every live refresh token of `user_id` in `family`; how many were still live.

    The caller holds the user's row lock, so no rotation in this family commits meanwhile.
    """
    live = OutstandingToken.objects.filter(
        user_id=user_id, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).only("id", "jti", "token")
    members = [row for row in live if _stored_family(row) == family]
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=row) for row in members], ignore_conflicts=True
    )
    return len(members)


def _stored_family(row: OutstandingToken) -> str | None:
    try:
        # Our own stored tokens, read back: their signature was checked when they were made.
        payload = token_backend.decode(row.token, verify=False)
    except TokenBackendError:
        return None
    return str(payload.get(FAMILY_CLAIM) or row.jti)

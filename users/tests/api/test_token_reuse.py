"""Refresh-token reuse: a rotated token presented again past the grace window revokes its family."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from admin_panel.models import AuditLogEntry
from users.tests.factories import PASSWORD, PatientFactory
from users.tokens import FAMILY_CLAIM, refresh_token_issue

pytestmark = pytest.mark.django_db

URL = "/api/token/refresh/"


@pytest.fixture
def account():
    return PatientFactory()


def sign_in(client, account) -> str:
    response = client.post(
        "/api/token/", {"mobile_number": account.mobile_number, "password": PASSWORD}
    )
    return response.json()["refresh"]


def rotate(client, refresh: str):
    return client.post(URL, {"refresh": refresh})


def age_revocation(refresh: str, seconds: int) -> None:
    """Pretend the token was rotated (or revoked) `seconds` ago."""
    jti = RefreshToken(refresh, verify=False)["jti"]
    BlacklistedToken.objects.filter(token__jti=jti).update(
        blacklisted_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def test_rotation_keeps_the_sign_ins_family(api_client, account):
    first = sign_in(api_client, account)
    second = rotate(api_client, first).json()["refresh"]
    family = RefreshToken(first, verify=False)[FAMILY_CLAIM]
    assert RefreshToken(second, verify=False)[FAMILY_CLAIM] == family


def test_separate_sign_ins_are_separate_families(api_client, account):
    one, other = sign_in(api_client, account), sign_in(api_client, account)
    assert (
        RefreshToken(one, verify=False)[FAMILY_CLAIM]
        != RefreshToken(other, verify=False)[FAMILY_CLAIM]
    )


def test_reuse_past_the_grace_window_is_401_and_revokes_the_family(api_client, account):
    first = sign_in(api_client, account)
    second = rotate(api_client, first).json()["refresh"]
    age_revocation(first, seconds=11)
    assert rotate(api_client, first).status_code == 401
    assert rotate(api_client, second).status_code == 401


def test_reuse_revokes_the_tokens_rotated_after_the_stolen_one(api_client, account):
    first = sign_in(api_client, account)
    second = rotate(api_client, first).json()["refresh"]
    third = rotate(api_client, second).json()["refresh"]
    age_revocation(first, seconds=60)
    rotate(api_client, first)
    assert rotate(api_client, third).status_code == 401


def test_reuse_within_the_grace_window_is_401_and_revokes_nothing(api_client, account):
    first = sign_in(api_client, account)
    second = rotate(api_client, first).json()["refresh"]
    age_revocation(first, seconds=5)
    assert rotate(api_client, first).status_code == 401
    assert rotate(api_client, second).status_code == 200


def test_the_grace_window_is_a_setting(api_client, account, settings):
    settings.JWT_REUSE_GRACE_SECONDS = 120
    first = sign_in(api_client, account)
    second = rotate(api_client, first).json()["refresh"]
    age_revocation(first, seconds=60)
    rotate(api_client, first)
    assert rotate(api_client, second).status_code == 200


def test_reuse_leaves_the_users_other_sign_ins_alone(api_client, account):
    other_device = sign_in(api_client, account)
    first = sign_in(api_client, account)
    rotate(api_client, first)
    age_revocation(first, seconds=11)
    rotate(api_client, first)
    assert rotate(api_client, other_device).status_code == 200


def test_reuse_that_revokes_a_family_is_audited(api_client, account):
    first = sign_in(api_client, account)
    rotate(api_client, first)
    age_revocation(first, seconds=11)
    rotate(api_client, first)
    entry = AuditLogEntry.objects.get(action="refresh_token_reused")
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("user", account.pk, None)
    assert entry.details == {"revoked": 1}


def test_a_token_revoked_by_logout_is_401(api_client, auth_client, account):
    refresh = sign_in(api_client, account)
    assert auth_client(account).post("/api/logout/", {"refresh": refresh}).status_code == 205
    assert rotate(api_client, refresh).status_code == 401


def test_logout_revokes_every_live_token_of_its_family(api_client, auth_client, account):
    refresh = sign_in(api_client, account)
    family = RefreshToken(refresh, verify=False)[FAMILY_CLAIM]
    # A second live member, as a rotation racing a reuse could leave behind.
    sibling = str(refresh_token_issue(user=account, family=family))
    auth_client(account).post("/api/logout/", {"refresh": refresh})
    assert rotate(api_client, sibling).status_code == 401


def test_logout_leaves_the_users_other_sign_ins_alone(api_client, auth_client, account):
    other_device = sign_in(api_client, account)
    refresh = sign_in(api_client, account)
    auth_client(account).post("/api/logout/", {"refresh": refresh})
    assert rotate(api_client, other_device).status_code == 200


def test_tokens_minted_before_families_still_rotate(api_client, account):
    legacy = str(RefreshToken.for_user(account))
    response = rotate(api_client, legacy)
    assert response.status_code == 200
    assert (
        RefreshToken(response.json()["refresh"], verify=False)[FAMILY_CLAIM]
        == (RefreshToken(legacy, verify=False)["jti"])
    )

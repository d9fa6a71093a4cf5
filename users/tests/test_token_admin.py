"""Revoked-token records are read-only in the Django admin: no add, change or delete."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

pytestmark = pytest.mark.django_db

BLACKLIST = "/admin/token_blacklist/blacklistedtoken/"
OUTSTANDING = "/admin/token_blacklist/outstandingtoken/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def revoked(patient):
    token = RefreshToken.for_user(patient)
    return BlacklistedToken.objects.create(token=OutstandingToken.objects.get(jti=token["jti"]))


def test_revoked_tokens_are_listed(admin_client, revoked):
    assert admin_client.get(BLACKLIST).status_code == 200
    assert admin_client.get(f"{BLACKLIST}{revoked.pk}/change/").status_code == 200


def test_a_revoked_token_cannot_be_deleted(admin_client, revoked):
    response = admin_client.post(f"{BLACKLIST}{revoked.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert BlacklistedToken.objects.filter(pk=revoked.pk).exists()


def test_revoked_tokens_cannot_be_bulk_deleted(admin_client, revoked):
    admin_client.post(
        BLACKLIST, {"action": "delete_selected", "_selected_action": [revoked.pk], "post": "yes"}
    )
    assert BlacklistedToken.objects.filter(pk=revoked.pk).exists()


def test_a_revocation_cannot_be_added_or_changed(admin_client, revoked, patient):
    other = OutstandingToken.objects.get(jti=RefreshToken.for_user(patient)["jti"])
    assert admin_client.get(f"{BLACKLIST}add/").status_code == 403
    response = admin_client.post(f"{BLACKLIST}{revoked.pk}/change/", {"token": other.pk})
    assert response.status_code == 403
    assert BlacklistedToken.objects.get(pk=revoked.pk).token_id != other.pk


def test_outstanding_tokens_cannot_be_deleted(admin_client, revoked):
    response = admin_client.post(f"{OUTSTANDING}{revoked.token_id}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert OutstandingToken.objects.filter(pk=revoked.token_id).exists()

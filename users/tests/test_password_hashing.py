"""Passwords are hashed with Argon2id at OWASP's minimum or above; PBKDF2 hashes are upgraded."""

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    identify_hasher,
)
from django.utils.module_loading import import_string

from healthcare import settings as project_settings
from users.tests.factories import PASSWORD, PatientFactory

# OWASP Password Storage Cheat Sheet, Argon2id's lowest setting: 19 MiB, 2 passes, 1 lane.
OWASP_MEMORY_KIB, OWASP_TIME_COST, OWASP_PARALLELISM = 19 * 1024, 2, 1


@pytest.fixture
def production_hashers(settings):
    # The test suite hashes with MD5 for speed (conftest.py); these tests need the real list.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def preferred_hasher():
    return import_string(project_settings.PASSWORD_HASHERS[0])()


def test_new_passwords_are_hashed_with_argon2id(production_hashers, db):
    user = PatientFactory()
    assert user.password.startswith("argon2$argon2id$")


def test_the_argon2_parameters_are_at_least_owasps_minimum():
    hasher = preferred_hasher()
    assert isinstance(hasher, Argon2PasswordHasher)
    assert hasher.algorithm == "argon2"
    assert hasher.memory_cost >= OWASP_MEMORY_KIB
    assert hasher.time_cost >= OWASP_TIME_COST
    assert hasher.parallelism >= OWASP_PARALLELISM


@pytest.mark.parametrize("via", ["api", "admin"])
def test_a_pbkdf2_hash_is_upgraded_to_argon2id_at_sign_in(production_hashers, db, client, via):
    user = PatientFactory(role="admin", is_superuser=True)
    # Few iterations: the test is about which hasher, not about PBKDF2's cost.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "legacysalt", iterations=1000)
    user.save(update_fields=["password"])
    if via == "api":
        body = {"mobile_number": user.mobile_number, "password": PASSWORD}
        response = client.post("/api/token/", body, content_type="application/json")
        assert response.status_code == 200
    else:
        response = client.post(
            "/admin/login/", {"username": user.mobile_number, "password": PASSWORD}
        )
        assert response.status_code == 302
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)

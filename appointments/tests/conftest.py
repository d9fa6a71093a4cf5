import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # These tests create many users and never test hashing; PBKDF2 would dominate their runtime.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

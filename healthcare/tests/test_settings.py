"""Production settings from the environment: deploy checks, no start without a key, env keys."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

PROJECT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "SECRET_KEY": settings.SECRET_KEY,
    "JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"],
    "CORS_ALLOWED_ORIGINS": settings.CORS_ALLOWED_ORIGINS,
    "CORS_ALLOWED_ORIGIN_REGEXES": settings.CORS_ALLOWED_ORIGIN_REGEXES,
    "SECURE_SSL_REDIRECT": getattr(settings, "SECURE_SSL_REDIRECT", False),
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
}))
"""

# Variables a developer's or CI's shell may carry that would change what is being checked.
SCRUBBED = (
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_ALLOWED_HOSTS",
    "JWT_SIGNING_KEY",
    "CORS_ALLOWED_ORIGINS",
)


def production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        DJANGO_SETTINGS_MODULE="healthcare.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="api.example.com",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run(args, env):
    return subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_under(env) -> dict:
    result = run(["-c", "import django; django.setup()\n" + PROBE], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# Every deploy check: Django's security ones and drf-spectacular's schema generation.
DEPLOY_CHECK = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def test_deploy_checks_pass_with_production_variables():
    result = run(DEPLOY_CHECK, production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_fail_with_debug_on():
    # The control for the test above: the check does object when something is unsafe.
    result = run(DEPLOY_CHECK, production_env(DJANGO_DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run(["manage.py", "check"], production_env(DJANGO_SECRET_KEY=None))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_by_default():
    assert settings_under(production_env())["DEBUG"] is False


def test_https_redirect_and_secure_cookies_are_on_by_default_in_production():
    values = settings_under(production_env())
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True


def test_plain_http_behind_a_local_proxy_keeps_secure_cookies():
    values = settings_under(production_env(DJANGO_SECURE_SSL_REDIRECT="0"))
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is True


def test_jwt_signing_key_defaults_to_the_secret_key():
    values = settings_under(production_env())
    assert values["JWT_SIGNING_KEY"] == values["SECRET_KEY"]


def test_jwt_signing_key_comes_from_its_own_variable_when_set():
    key = secrets.token_urlsafe(50)
    values = settings_under(production_env(JWT_SIGNING_KEY=key))
    assert values["JWT_SIGNING_KEY"] == key
    assert values["SECRET_KEY"] != key


def test_no_cors_origin_is_allowed_by_default():
    assert settings_under(production_env())["CORS_ALLOWED_ORIGINS"] == []


def test_production_allows_no_local_dev_origin_pattern():
    assert settings_under(production_env())["CORS_ALLOWED_ORIGIN_REGEXES"] == []


def test_development_allows_local_dev_servers_on_any_port():
    env = production_env(DJANGO_DEBUG="1", DJANGO_SECRET_KEY=None)
    patterns = settings_under(env)["CORS_ALLOWED_ORIGIN_REGEXES"]
    assert any(re.match(pattern, "http://localhost:5173") for pattern in patterns)
    assert any(re.match(pattern, "http://127.0.0.1:3000") for pattern in patterns)


def test_cors_origins_come_from_the_environment():
    env = production_env(CORS_ALLOWED_ORIGINS="https://a.example.com, https://b.example.com")
    assert settings_under(env)["CORS_ALLOWED_ORIGINS"] == [
        "https://a.example.com",
        "https://b.example.com",
    ]


def test_allowed_hosts_never_default_to_a_wildcard():
    values = settings_under(production_env(DJANGO_ALLOWED_HOSTS=None))
    assert values["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1"]

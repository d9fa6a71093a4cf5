"""POST /api/token/ limits hold across processes (gunicorn workers) that share Redis."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

pytestmark = [pytest.mark.server, pytest.mark.django_db]

URL = "/api/token/"
PROJECT = Path(settings.BASE_DIR)


@pytest.fixture
def shared_cache():
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("REDIS_URL is not set: the throttle cache is per-process (CI sets it)")
    try:
        cache.set("throttle-test-ping", 1, 5)
    except Exception as exc:  # any connection error means: no Redis to test against
        pytest.skip(f"Redis is not reachable at REDIS_URL: {type(exc).__name__}")


@pytest.fixture(scope="module")
def other_database(tmp_path_factory):
    """The other process's own SQLite file (migrated by its first run, reused after)."""
    return tmp_path_factory.mktemp("other-process") / "db.sqlite3"


def run_other_process(database: Path, number: str, attempts: int) -> list[int]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthcare.settings",
        # Its own database: the only thing the two processes share is the cache.
        "DATABASE_URL": f"sqlite:///{database}",
        "THROTTLE_LOGIN_NUMBER": SimpleRateThrottle.THROTTLE_RATES["login_number"],
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter and module, fixed arguments)
        [sys.executable, "-m", "healthcare.tests.throttle_worker", number, str(attempts)],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_attempts_in_another_process_count_here(
    api_client, shared_cache, monkeypatch, other_database
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login_number", "2/min")
    assert run_other_process(other_database, "01712345678", 2) == [401, 401]
    response = api_client.post(
        URL, {"mobile_number": "+8801712345678", "password": "Wrong-Password-1"}
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_other_numbers_stay_open_after_another_process_spends_one(
    api_client, shared_cache, monkeypatch, other_database
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login_number", "2/min")
    run_other_process(other_database, "01712345678", 2)
    response = api_client.post(
        URL, {"mobile_number": "01812345678", "password": "Wrong-Password-1"}
    )
    assert response.status_code == 401


def test_attempts_here_count_in_another_process(
    api_client, shared_cache, monkeypatch, other_database
):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login_number", "2/min")
    for _ in range(2):
        api_client.post(URL, {"mobile_number": "01712345678", "password": "Wrong-Password-1"})
    assert run_other_process(other_database, "+8801712345678", 1) == [429]

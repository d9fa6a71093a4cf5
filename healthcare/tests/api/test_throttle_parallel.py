"""A throttle's limit holds when parallel requests reach several gunicorn workers that share
Redis: each request is counted in one atomic step before it is judged."""

import os
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest
from django.conf import settings
from django.core.cache import cache

from healthcare.tests.gunicorn_server import free_port, gunicorn_env, gunicorn_running

pytestmark = pytest.mark.server

LIMIT = 30
PARALLEL = 120


def get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local http)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def served_by_four_workers(tmp_path):
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("REDIS_URL is not set: the throttle cache is per-process (CI sets it)")
    port = free_port()
    env = gunicorn_env(tmp_path, port, GUNICORN_WORKERS="4", THROTTLE_ANON=f"{LIMIT}/min")
    env["REDIS_URL"] = os.environ["REDIS_URL"]
    base = f"http://127.0.0.1:{port}"
    with gunicorn_running(env, tmp_path / "gunicorn.log"):
        deadline = time.monotonic() + 30
        # Up when it answers; the health probe is not throttled by the anonymous rate.
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/health/", timeout=5).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    cache.clear()


def test_parallel_requests_cannot_pass_a_throttle_together(served_by_four_workers):
    # All of them in one fixed window (a minute): near a minute's end, wait for the next one.
    into_minute = time.time() % 60
    if into_minute > 50:
        time.sleep(60 - into_minute)
    start = threading.Barrier(PARALLEL)
    statuses = Counter()
    lock = threading.Lock()

    def one():
        start.wait()
        status = get_status(f"{served_by_four_workers}/api/clinic/")
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=one) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == {200: LIMIT, 429: PARALLEL - LIMIT}

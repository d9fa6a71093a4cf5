"""gunicorn.conf.py: env-driven bind and workers, an access log that never records queries, and
the preloaded app frozen out of the workers' garbage collector."""

import gc
import json
import os
import runpy
import time
import urllib.request

import pytest

from healthcare.tests.gunicorn_server import CONFIG, free_port, gunicorn_env, gunicorn_running

pytestmark = pytest.mark.server


def load_config(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_binds_to_localhost_port_8000_by_default(monkeypatch):
    assert load_config(monkeypatch)["bind"] == "127.0.0.1:8000"


def test_bind_comes_from_the_environment(monkeypatch):
    assert load_config(monkeypatch, GUNICORN_BIND="0.0.0.0:9000")["bind"] == "0.0.0.0:9000"


def test_workers_scale_with_the_cpu_count(monkeypatch):
    assert load_config(monkeypatch)["workers"] == os.cpu_count() * 2 + 1


def test_workers_come_from_the_environment(monkeypatch):
    assert load_config(monkeypatch, GUNICORN_WORKERS="3")["workers"] == 3


def test_requests_time_out(monkeypatch):
    config = load_config(monkeypatch)
    assert 0 < config["timeout"] <= 60
    assert 0 < config["graceful_timeout"] <= 60


def test_access_log_names_the_path_but_not_the_query_or_referrer(monkeypatch):
    log_format = load_config(monkeypatch)["access_log_format"]
    assert "%(U)s" in log_format
    for atom in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert atom not in log_format


def test_master_freezes_the_preloaded_app_before_forking_workers(monkeypatch):
    config = load_config(monkeypatch)
    assert config["preload_app"] is True
    try:
        config["when_ready"](None)
        # Every object alive now (the loaded app among them) is out of the collector's reach.
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def fetch(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local http)
                return response.status, json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def served(tmp_path):
    """A real gunicorn (one worker) serving the project on a free port, with DEBUG off."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with gunicorn_running(gunicorn_env(tmp_path, port), log):
        yield f"http://127.0.0.1:{port}", log


def test_gunicorn_serves_the_health_endpoint(served):
    base, _log = served
    assert fetch(f"{base}/api/health/", time.monotonic() + 30) == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok"},
    )


def test_gunicorn_access_log_keeps_no_query_string(served):
    base, log = served
    fetch(f"{base}/api/health/?mobile_number=01712345678&token=abc", time.monotonic() + 30)
    deadline = time.monotonic() + 10
    while "/api/health/" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert '"GET /api/health/ HTTP/1.1" 200' in text
    assert "01712345678" not in text
    assert "token=" not in text

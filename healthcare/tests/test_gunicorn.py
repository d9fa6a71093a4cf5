"""gunicorn.conf.py: env-driven bind and workers, and an access log that never records queries."""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CONFIG = PROJECT / "gunicorn.conf.py"


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthcare.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "gunicorn-test-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    env.pop("REDIS_URL", None)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_serves_the_health_endpoint(served):
    base, _log = served
    assert fetch(f"{base}/api/health/", time.monotonic() + 30) == (
        200,
        {"status": "ok", "database": "ok"},
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

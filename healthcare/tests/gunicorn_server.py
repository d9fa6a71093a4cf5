"""What the tests that serve the project under a real gunicorn share."""

import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CONFIG = PROJECT / "gunicorn.conf.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_env(tmp_path: Path, port: int, **overrides: str) -> dict:
    """One worker with DEBUG off, a SQLite file of the test's own, the local-memory cache."""
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
        **overrides,
    }
    env.pop("REDIS_URL", None)
    return env


@contextmanager
def gunicorn_running(env: dict, log: Path):
    """gunicorn with the committed config, its output in `log`; stopped on the way out."""
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)

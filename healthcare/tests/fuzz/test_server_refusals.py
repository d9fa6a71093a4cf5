"""Fuzz finding F6: the server's own refusals are JSON and documented, like every /api/ response.

schemathesis sent `GET /api/admin-panel/audit-log/?actor=…` with a 4.5 kB query string: gunicorn
refused the request line (over `limit_request_line`) before Django ran, with an HTML page and a
status the schema did not list.
"""

import http.client
import json
import os
import subprocess
import sys
import time

import pytest

from healthcare.tests.fuzz.conformance import documented_response, schema_errors
from healthcare.tests.test_gunicorn import CONFIG, PROJECT, fetch, free_port


@pytest.fixture
def server(tmp_path):
    """The project under gunicorn (one worker, DEBUG off) on a free port."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthcare.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "fuzz-refusal-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
    }
    env.pop("REDIS_URL", None)
    with (tmp_path / "gunicorn.log").open("w") as log:
        process = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
            [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        fetch(f"http://127.0.0.1:{port}/api/health/", time.monotonic() + 30)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_request_line_too_long_for_the_server_is_a_documented_json_414(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.request("GET", "/api/doctors/?search=" + "x" * 5000)
    response = connection.getresponse()
    body = response.read()
    connection.close()

    assert response.status == 414
    assert response.getheader("Content-Type") == "application/json"
    schema = documented_response("GET", "/api/doctors/", 414)["content"]["application/json"]
    assert schema_errors(schema["schema"], json.loads(body)) == []

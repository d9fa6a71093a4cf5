"""Fuzz finding F6: the server's own refusals are JSON and documented, like every /api/ response.

schemathesis sent `GET /api/admin-panel/audit-log/?actor=…` with a 4.5 kB query string: gunicorn
refused the request line (over `limit_request_line`) before Django ran, with an HTML page and a
status the schema did not list.
"""

import http.client
import json
import time

import pytest

from healthcare.tests.fuzz.conformance import documented_response, schema_errors
from healthcare.tests.gunicorn_server import free_port, gunicorn_env, gunicorn_running
from healthcare.tests.test_gunicorn import fetch

pytestmark = pytest.mark.server


@pytest.fixture
def server(tmp_path):
    """The project under gunicorn (one worker, DEBUG off) on a free port."""
    port = free_port()
    with gunicorn_running(gunicorn_env(tmp_path, port), tmp_path / "gunicorn.log"):
        fetch(f"http://127.0.0.1:{port}/api/health/", time.monotonic() + 30)
        yield port


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

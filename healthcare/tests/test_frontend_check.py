"""The API as a front end sees it (frontend-check/): the schema from `manage.py spectacular` passes
Redocly's recommended lint, and a strict TypeScript client generated from it by
openapi-typescript compiles and runs a patient's booking flow (openapi-fetch) against a server.

Needs Node.js and npm (marker `npm`): skipped with that reason where they are missing, but a
failure in CI, which installs them. `npm ci` runs here when frontend-check/node_modules is
missing (CI runs it before the tests).
"""

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from doctors.tests.factories import ScheduleFactory

FRONTEND = Path(__file__).resolve().parents[2] / "frontend-check"
BUILD = FRONTEND / "build"
BIN = FRONTEND / "node_modules" / ".bin"
NPM = shutil.which("npm")
NODE = shutil.which("node")

pytestmark = pytest.mark.npm


def run(*args, env=None, timeout=300) -> subprocess.CompletedProcess:
    # Fixed programs from this repository's lockfile; no shell.
    return subprocess.run(  # noqa: S603
        [str(arg) for arg in args],
        cwd=FRONTEND,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def output(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"


@pytest.fixture(scope="module")
def node_tools():
    """The lockfile's tools, installed with `npm ci` if they are not there yet."""
    if NPM is None or NODE is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the front-end check: npm and node are missing")
        pytest.skip("npm and node are needed for frontend-check/ and are not installed")
    if not (FRONTEND / "node_modules" / ".package-lock.json").exists():
        result = run(NPM, "ci", "--no-audit", "--no-fund", timeout=600)
        assert result.returncode == 0, output(result)


@pytest.fixture(scope="module")
def openapi_file(node_tools) -> Path:
    BUILD.mkdir(exist_ok=True)
    path = BUILD / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    return path


@pytest.fixture(scope="module")
def typescript_types(openapi_file) -> Path:
    path = BUILD / "api.d.ts"
    result = run(BIN / "openapi-typescript", openapi_file, "--output", path)
    assert result.returncode == 0, output(result)
    return path


def test_the_schema_passes_redocly_recommended_lint_with_no_error(openapi_file):
    result = run(
        BIN / "redocly", "lint", "--config", "redocly.yaml", openapi_file, "--format", "json"
    )
    report = json.loads(result.stdout[result.stdout.index("{") :])
    errors = [
        f"{problem['ruleId']}: {problem['message']}"
        for problem in report["problems"]
        if problem["severity"] == "error"
    ]
    assert errors == []
    assert report["totals"]["errors"] == 0, output(result)


def test_the_typescript_client_compiles_with_strict_checks(typescript_types):
    result = run(BIN / "tsc", "--noEmit", "--strict", "-p", "tsconfig.json")
    assert result.returncode == 0, output(result)


@pytest.mark.django_db(transaction=True)
def test_the_typescript_booking_flow_runs_against_a_live_server(typescript_types, live_server):
    ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=1))
    compiled = run(BIN / "tsc", "-p", "tsconfig.json", "--noEmit", "false")
    assert compiled.returncode == 0, output(compiled)
    env = {**os.environ, "API_BASE_URL": live_server.url}
    result = run(NODE, BUILD / "js" / "src" / "booking-flow.js", env=env, timeout=120)
    assert result.returncode == 0, output(result)
    assert "ok cancel: " in result.stdout

"""`make fuzz` (issue 5): schemathesis against the running server, every operation, every role.

Steps: a fresh throwaway database (PostgreSQL `healthcare_fuzz` beside DATABASE_URL's when that
points at PostgreSQL, else a fresh SQLite file), `migrate`, `seed_demo`, gunicorn on a free local
port with DEBUG off and high throttle rates, demo tokens from POST /api/token/, then one
schemathesis run per caller: anonymous, patient and doctor side by side, then admin alone (its run
may deactivate the patient and doctor the others sign in as). Exits non-zero on any failure.

Environment: DATABASE_URL (as for the app), FUZZ_DB_NAME (default healthcare_fuzz),
FUZZ_MAX_EXAMPLES (fuzzing-phase cases per operation, default 20), FUZZ_RUN_SECONDS (hard limit
per group of runs, default 270), FUZZ_SEED (default: a fixed seed, so CI runs are reproducible),
FUZZ_ROLES (default "anonymous,patient,doctor,admin"), FUZZ_OUT (default test-artifacts/fuzz),
FUZZ_CHECKS (default: the five below; e.g. "all" to explore beyond issue 5).

Against a running deployment instead (issue 16, `make cluster-acceptance`): FUZZ_BASE_URL (e.g.
http://127.0.0.1:8080, the cluster's balancer) skips the throwaway database and server; the demo
data is seeded by `manage.py seed_demo` on FUZZ_SEED_DATABASE_URL (the deployment's primary,
directly; unset: the data is taken as already there), the tokens come from that deployment's
POST /api/token/, and FUZZ_SERVER_LOGS (log files, space separated, e.g. the nodes') are copied
into the reports and searched for tracebacks. Its throttles and JWT_ACCESS_MINUTES are the
deployment's own: raise them as THROTTLES below when starting it.
"""

import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
OUT = Path(os.environ.get("FUZZ_OUT", PROJECT / "test-artifacts" / "fuzz"))

# The five checks issue 5 names; the others (e.g. positive_data_acceptance) judge the schema's
# strictness rather than the server's correctness and are out of scope.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
]
ROLES = ["anonymous", "patient", "doctor", "admin"]

# High enough that 429s don't drown the run (they stay documented in the schema and so still
# conform); the login limits matter most: the anonymous run hammers POST /api/token/.
THROTTLES = {
    "THROTTLE_LOGIN_NUMBER": "100000/min",
    "THROTTLE_LOGIN_IP": "100000/min",
    "THROTTLE_REGISTER": "100000/min",
    "THROTTLE_ANON": "100000/min",
    "THROTTLE_USER": "100000/min",
    "THROTTLE_BOOK": "100000/min",
}


def log(message: str) -> None:
    print(f"[fuzz] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fuzz_database_url() -> str:
    """A fresh database URL for this run; PostgreSQL if DATABASE_URL names it, else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg2  # only needed on PostgreSQL

        name = os.environ.get("FUZZ_DB_NAME", "healthcare_fuzz")
        parts = urllib.parse.urlsplit(url)
        admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        conn = psycopg2.connect(admin_url)
        conn.autocommit = True
        with conn.cursor() as cursor:
            # The name is ours (env or default) and quoted as an identifier.
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    path = OUT / "fuzz.sqlite3"
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def server_env(database_url: str, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # A shared Redis would mix this run's throttle counters with other runs' (CI's tests).
        if key not in {"REDIS_URL", "DJANGO_ALLOWED_HOSTS"}
    }
    env.update(THROTTLES)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # Tokens are taken once, before the runs; they must outlive all four.
        JWT_ACCESS_MINUTES="120",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=os.environ.get("FUZZ_SERVER_WORKERS", "3"),
        PYTHONUNBUFFERED="1",
    )
    return env


def seed_env(database_url: str) -> dict[str, str]:
    """manage.py's environment for seeding a running deployment's database directly."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Straight to the primary: no replica, no pooler, no cache (seed_demo caches nothing).
        if key not in {"REDIS_URL", "DATABASE_REPLICA_URL", "DATABASE_POOLER"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        # Signs nothing the deployment checks: seed_demo only writes rows (passwords are hashed).
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 (manage.py with our own arguments)
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return result.stdout


def wait_for(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before it was ready (see server.log)")
        try:
            with urllib.request.urlopen(f"{base}/api/health/", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become healthy in time")


def token_for(base: str, mobile_number: str, password: str) -> str:
    body = json.dumps({"mobile_number": mobile_number, "password": password}).encode()
    request = urllib.request.Request(  # noqa: S310 (our own local server)
        f"{base}/api/token/",
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)["access"]


def demo_logins(env: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The demo accounts seed_demo makes (read from the command, so they can't drift)."""
    sys.path.insert(0, str(PROJECT))
    os.environ.update(env, DJANGO_SETTINGS_MODULE="healthcare.settings")
    import django

    django.setup()
    from appointments.management.commands import seed_demo

    return {
        "patient": (seed_demo.PATIENTS[0][0], seed_demo.DEMO_PASSWORD),
        "doctor": (seed_demo.DOCTORS[0][0], seed_demo.DEMO_PASSWORD),
        "admin": (seed_demo.ADMIN[0], seed_demo.DEMO_PASSWORD),
    }


def schemathesis_command(base: str, role: str, token: str | None) -> list[str]:
    report_dir = OUT / role
    command = [
        str(VENV_BIN / "schemathesis"),
        "run",
        f"{base}/api/schema/",
        "--checks",
        os.environ.get("FUZZ_CHECKS", ",".join(CHECKS)),
        "--max-examples",
        os.environ.get("FUZZ_MAX_EXAMPLES", "20"),
        "--seed",
        os.environ.get("FUZZ_SEED", "20261128"),
        # One worker thread: Hypothesis parses lambda sources with `ast`, which is not
        # thread-safe on Python 3.11 ("AST constructor recursion depth mismatch" errors).
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--generation-database",
        "none",
        "--continue-on-failure",
        "--no-color",
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(report_dir),
        "--wait-for-schema",
        "30",
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    return command


def figures(role: str) -> dict[str, int]:
    """Operations tested, cases generated and failures from one caller's schemathesis output."""
    text = (OUT / role / "output.txt").read_text(errors="replace")
    found = {"operations": 0, "cases": 0, "failures": 0}
    if match := re.search(r"Tested:\s*(\d+)", text):
        found["operations"] = int(match.group(1))
    if match := re.search(r"(\d+) generated", text):
        found["cases"] = int(match.group(1))
    if match := re.search(r"(\d+) failures?\b", text.rsplit("SUMMARY", 1)[-1]):
        found["failures"] = int(match.group(1))
    return found


def run_group(base: str, roles: list[str], tokens: dict[str, str], seconds: int) -> dict:
    """Run schemathesis for these callers side by side; each gets the same hard time limit."""
    processes = {}
    started = time.monotonic()
    for role in roles:
        shutil.rmtree(OUT / role, ignore_errors=True)
        (OUT / role).mkdir(parents=True)
        log(f"schemathesis as {role} (at most {seconds} s)")
        processes[role] = subprocess.Popen(  # noqa: S603 (our own fixed command line)
            schemathesis_command(base, role, tokens.get(role)),
            # Run from the reports folder: schemathesis keeps a crash cache (.schemathesis/) in
            # its working directory, which must not litter the project tree.
            cwd=OUT,
            stdout=(OUT / role / "output.txt").open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    results = {}
    try:
        for role, process in processes.items():
            remaining = max(1.0, seconds - (time.monotonic() - started))
            try:
                results[role] = process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                log(f"{role}: time limit of {seconds} s reached; the run is cut short")
                results[role] = 124
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)
    for role in roles:
        # One caller's whole report at a time, so the CI log reads in order.
        print(f"\n{'=' * 30} schemathesis as {role} {'=' * 30}", flush=True)
        sys.stdout.write((OUT / role / "output.txt").read_text(errors="replace"))
        log(f"{role}: exit {results[role]}")
    log(f"{', '.join(roles)}: {time.monotonic() - started:.0f} s")
    return results


def stop_on_sigterm(signum, frame):
    # CI's outer `timeout` sends SIGTERM: unwind so the server and schemathesis are stopped too.
    raise SystemExit(f"stopped by signal {signum}")


def run_all(base: str, roles: list[str], logins: dict, seconds: int) -> dict[str, int]:
    tokens = {role: token_for(base, *login) for role, login in logins.items()}
    results: dict[str, int] = {}
    # Callers that change nothing others depend on run side by side; the admin run goes
    # alone and last, because it may deactivate the patient and doctor the others sign in as.
    side_by_side = [role for role in roles if role != "admin"]
    for group in (side_by_side, [role for role in roles if role == "admin"]):
        if group:
            results.update(run_group(base, group, tokens, seconds))
    return results


def against_local_server(roles: list[str], seconds: int) -> tuple[dict[str, int], list[Path]]:
    """`make fuzz`: a throwaway database and gunicorn of our own, stopped afterwards."""
    database_url = fuzz_database_url()
    port = free_port()
    env = server_env(database_url, port)
    log(f"database {urllib.parse.urlsplit(database_url).path.rsplit('/', 1)[-1]}: migrate, seed")
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--noinput")
    logins = demo_logins(env)

    base = f"http://127.0.0.1:{port}"
    server_log = (OUT / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
        cwd=PROJECT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(base, server)
        return run_all(base, roles, logins, seconds), [OUT / "server.log"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server_log.close()


def against_deployment(
    base: str, roles: list[str], seconds: int
) -> tuple[dict[str, int], list[Path]]:
    """FUZZ_BASE_URL: a running deployment (the cluster's balancer), seeded on its primary."""
    base = base.rstrip("/")
    with urllib.request.urlopen(f"{base}/api/health/", timeout=5) as response:  # noqa: S310
        if response.status != 200:
            raise SystemExit(f"{base}/api/health/ answered {response.status}")
    seed_url = os.environ.get("FUZZ_SEED_DATABASE_URL", "")
    env = seed_env(seed_url or os.environ.get("DATABASE_URL", "sqlite:///unused"))
    if seed_url:
        log(f"seed_demo on {urllib.parse.urlsplit(seed_url).netloc.rsplit('@', 1)[-1]} (directly)")
        started = time.monotonic()
        manage(env, "seed_demo")
        log(f"seeded in {time.monotonic() - started:.0f} s")
    else:
        log("FUZZ_SEED_DATABASE_URL unset: the demo data is taken as already there")
    logins = demo_logins(env)
    log(f"fuzzing {base}")
    results = run_all(base, roles, logins, seconds)
    # The deployment's own logs (e.g. the nodes'), kept with the reports: it may be gone later.
    logs = []
    for pattern in os.environ.get("FUZZ_SERVER_LOGS", "").split():
        for name in sorted(glob.glob(pattern)):
            copy = OUT / "server-logs" / Path(name).name
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(name, copy)
            logs.append(copy)
    return results, logs


def main() -> int:
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(OUT / "server-logs", ignore_errors=True)
    roles = [r.strip() for r in os.environ.get("FUZZ_ROLES", ",".join(ROLES)).split(",") if r]
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise SystemExit(f"unknown FUZZ_ROLES: {', '.join(sorted(unknown))}")
    # The API has about 70 operations since v1.1; on a busy 2-core host a group took over 100 s.
    seconds = int(os.environ.get("FUZZ_RUN_SECONDS", "270"))

    started = time.monotonic()
    if base := os.environ.get("FUZZ_BASE_URL"):
        results, logs = against_deployment(base, roles, seconds)
    else:
        results, logs = against_local_server(roles, seconds)

    failed = {role: code for role, code in results.items() if code != 0}
    summary = ", ".join(
        f"{role} {'ok' if code == 0 else f'exit {code}'}" for role, code in results.items()
    )
    counts = {role: figures(role) for role in results}
    total = {
        key: sum(c[key] for c in counts.values()) for key in ("operations", "cases", "failures")
    }
    log(
        "figures: "
        + "; ".join(
            f"{role} {c['operations']} operations, {c['cases']} cases, {c['failures']} failures"
            for role, c in counts.items()
        )
    )
    log(
        f"total: {total['operations']} operation runs, {total['cases']} cases, "
        f"{total['failures']} failures in {time.monotonic() - started:.0f} s"
    )
    log(f"summary: {summary}; reports in {OUT}")
    if failed:
        for path in logs:
            errors = [
                line
                for line in path.read_text(errors="replace").splitlines()
                if "Traceback" in line or "Error" in line
            ]
            if errors:
                log(f"server errors (see {path}):")
                for line in errors[-20:]:
                    print("    " + line)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

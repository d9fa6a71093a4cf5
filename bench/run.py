"""The rerunnable benchmark: seed PostgreSQL, serve with gunicorn, drive with wrk, write results.

``make bench`` (full size, plus the 100x smaller set for the p99 comparison) and
``make bench-small`` (a one-minute smoke run for CI) call this. For each data size it:

1. drops and creates its own database (``healthcare_bench`` by default), migrates and seeds it;
2. sends each scenario's request through Django's test client in this process, counting SQL
   queries (CaptureQueriesContext) and running ``EXPLAIN (ANALYZE, BUFFERS)`` on every SELECT;
3. serves the project with gunicorn (the committed ``gunicorn.conf.py`` when there is one), DEBUG
   off, persistent connections, on a free 127.0.0.1 port, with ``bench.settings`` (the project's
   settings plus two floor routes);
4. drives each scenario with ``wrk`` at fixed concurrency for a fixed time (``bench/lua/replay.lua``
   replays prepared requests with their tokens and bodies and counts statuses).

It writes a Markdown table and JSON. Any status a scenario didn't expect (a 5xx, an unexpected 4xx),
or a query count other than the one a scenario pins, makes it exit 1; speed never does. A scenario
whose route hasn't landed yet is "not available".
"""

# The runner starts wrk, gunicorn, git and apt-get with fixed argument lists, never user input.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
LUA = BENCH / "lua" / "replay.lua"
BENCH_QUEUE = "bench"
BIG_TABLES = (
    "appointments_appointmentbooking",
    "users_user",
    "doctors_doctorschedule",
    "admin_panel_auditlogentry",
)

# Issue 6's targets on a 2-core machine with wrk co-located at c=16: reported, never enforced.
TARGETS = {
    "doctors_list": ("req_s", 700),
    "slots": ("req_s", 750),
    "my_appointments": ("req_s", 500),
    "booking": ("req_s", 550),
    "admin_reports": ("p99_ms", 300),
}
# The issue measured its targets where the bare-Django floor served about 6,000 req/s. On another
# machine each target is also judged scaled by this machine's floor (a req/s target times
# floor/6,000, a latency bound times 6,000/floor), so a slower machine isn't failed for being slow.
REFERENCE_FLOOR_REQ_S = 6000
# Every endpoint's p99 at the default size should stay within 1.5x of its p99 at 1/100 of it.
P99_GROWTH_LIMIT = 1.5
# The slot list's rows and the offered-slot rule's time off, closures and hours (one UNION ALL).
SLOTS_QUERIES = 1

PLANS_NOTE = (
    "Every SELECT of each endpoint's request, from the query-count pass, run again under "
    "`EXPLAIN (ANALYZE, BUFFERS)`; the two slowest per endpoint are shown (all are in "
    "results.json). Sequential scans on the large tables ({tables}) are flagged."
)


@dataclass
class Scenario:
    """One endpoint under load: the requests wrk replays and the statuses it may answer."""

    name: str
    title: str
    expected: set[int]
    lines: list[tuple[str, str, str | None, str | None]]  # method, path, token, JSON body
    once: bool = False  # each line sent at most once (bookings)
    warmup: bool = True
    probe: tuple[str, str, str | None, str | None] | None = None  # for the query-count pass
    queries: int | None = None  # what one request should cost, when pinned (else only shown)
    result: dict = field(default_factory=dict)


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


# --- environment -------------------------------------------------------------------------------


def configure_env(args) -> None:
    """Settings for this process and gunicorn alike, fixed before Django is imported."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + secrets.token_hex(24))
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["DATABASE_URL"] = f"{args.pg.rstrip('/')}/{args.db}"
    # Tokens made before the run must outlive it.
    os.environ["JWT_ACCESS_MINUTES"] = "240"
    # Throttles still run (their cache traffic is part of each request's cost) but never trip:
    # all of wrk's traffic comes from one IP. Per-second windows keep the history lists short.
    for name in ("LOGIN_NUMBER", "LOGIN_IP", "REGISTER", "ANON", "USER", "BOOK"):
        os.environ[f"THROTTLE_{name}"] = "1000000/s"
    # The cache is per process (as in every run so far) unless `--cache` names a Redis, as a
    # deployment does; whatever this shell exports.
    os.environ["REDIS_URL"] = args.cache
    # Notifications go to the task queue as in production: a broker (`--broker`) and a queue of
    # the bench's own that no worker reads during the run, emptied at its end. `--broker ""`
    # delivers in-process instead (as `make run` does).
    os.environ["CELERY_BROKER_URL"] = args.broker
    os.environ["CELERY_QUEUE"] = BENCH_QUEUE
    sys.path.insert(0, str(ROOT))


def empty_bench_queue(args) -> None:
    """Drop the task messages the run left on the broker (nothing consumed them)."""
    if not args.broker.startswith("redis"):
        return
    import redis

    client = redis.Redis.from_url(args.broker)
    try:
        client.delete(BENCH_QUEUE)
    finally:
        client.close()


def admin_dsn(args) -> str:
    return f"{args.pg.rstrip('/')}/postgres"


def recreate_database(args) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_dsn(args))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{args.db}"')
    conn.close()


def drop_database(args) -> None:
    import psycopg2

    conn = psycopg2.connect(admin_dsn(args))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    conn.close()


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        log("wrk is missing: installing the Debian package")
        lock = ["-o", "DPkg::Lock::Timeout=300"]
        subprocess.run(["apt-get", *lock, "update", "-qq"], check=False)
        subprocess.run(["apt-get", *lock, "install", "-y", "-qq", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: wrk is not installed and could not be installed (apt-get install wrk)")
    return found


# --- scenarios ---------------------------------------------------------------------------------


def build_scenarios(seeded, *, duration: int) -> tuple[list[Scenario], tuple, str]:
    """The scenarios, plus a spare free slot and its booker's token for the query-count pass."""
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import AccessToken

    from bench.seed import PASSWORD
    from users.models import User

    wanted = [
        seeded.admin_id,
        *seeded.heavy_patient_ids,
        *seeded.booker_ids,
        *seeded.patient_ids[:200],
    ]
    users = {u.pk: u for u in User.objects.filter(pk__in=wanted)}
    token = {pk: str(AccessToken.for_user(u)) for pk, u in users.items()}
    admin = token[seeded.admin_id]
    today = timezone.localdate()
    week_end = today + dt.timedelta(days=6)
    doctors = seeded.doctor_ids[:200]

    def get(path, tok=None):
        return ("GET", path, tok, None)

    def post(path, body, tok=None):
        return ("POST", path, tok, json.dumps(body, separators=(",", ":")))

    def book_body(slot):
        d, s, _day, t = slot
        return {"doctor": d, "schedule": s, "appointment_time": t.strftime("%H:%M")}

    # Bookings: every request a fresh free slot. Bookers hold no seeded bookings, and no booker
    # gets two slots at one date and time (that would be a legitimate 400, not a 201).
    bookers = seeded.booker_ids
    probe_booker, bookers = bookers[0], bookers[1:]
    free = list(seeded.free_slots)
    probe_slots, free = free[:2], free[2:]
    # Enough for 1,500 bookings/s; the data set bounds it (a small set has fewer free slots).
    wanted_bookings = min(len(free), 1500 * duration)
    used: set[tuple[int, dt.date, dt.time]] = set()
    booking_lines = []
    for i, slot in enumerate(free[:wanted_bookings]):
        for k in range(len(bookers)):
            who = bookers[(i + k) % len(bookers)]
            if (who, slot[2], slot[3]) not in used:
                used.add((who, slot[2], slot[3]))
                booking_lines.append(post("/api/appointments/book/", book_body(slot), token[who]))
                break
    taken_lines = [
        post("/api/appointments/book/", book_body(slot), token[bookers[i % len(bookers)]])
        for i, slot in enumerate(seeded.taken_slots[:200])
    ]
    login_lines = [
        post(
            "/api/token/",
            {"mobile_number": seeded.mobile_numbers[p], "password": PASSWORD},
        )
        for p in seeded.patient_ids[:200]
    ]
    doctors_list_path = (
        f"/api/doctors/?specialization={seeded.filter_specialization}"
        f"&location={seeded.filter_location}&available=true"
    )
    first_patient = token[seeded.patient_ids[0]]
    return (
        [
            Scenario(
                "floor_django",
                "Floor: bare Django JsonResponse",
                {200},
                [get("/bench/floor/django/")],
            ),
            Scenario(
                "floor_drf",
                "Floor: DRF APIView + JWT (auth's user lookup only)",
                {200},
                [get("/bench/floor/drf/", first_patient)],
            ),
            Scenario(
                "doctors_list",
                "Doctors list (specialization+location+available)",
                {200},
                [get(doctors_list_path)],
            ),
            # What a patient sees on opening the directory with "available now" ticked: every
            # bookable doctor's availability is asked (the page's count needs them all), not only
            # a specialization's and a city's few dozen.
            Scenario(
                "doctors_available",
                "Doctors list (available only, first page)",
                {200},
                [get("/api/doctors/?available=true")],
                queries=1,
            ),
            Scenario(
                "doctor_detail",
                "Doctor detail",
                {200},
                [get(f"/api/doctors/{d}/") for d in doctors],
            ),
            Scenario(
                "slots",
                "Slots, one doctor, 7 days",
                {200},
                [
                    get(f"/api/doctors/{d}/slots/?date_from={today}&date_to={week_end}")
                    for d in doctors
                ],
                queries=SLOTS_QUERIES,
            ),
            # Doctors with weekly hours (a lunch break), some slots booked and a time off in
            # the week: the slot list reads time off, closures and the hours with the schedules
            # in its one query, and drops the slots they take away.
            Scenario(
                "slots_weekly",
                "Slots, one doctor with weekly hours, bookings and time off, 7 days",
                {200},
                [
                    get(f"/api/doctors/{d}/slots/?date_from={today}&date_to={week_end}")
                    for d in seeded.weekly_doctor_ids[:200]
                ],
                queries=SLOTS_QUERIES,
            ),
            Scenario(
                "my_appointments",
                "My appointments (patient with 200 rows, page of 20)",
                {200},
                [get("/api/profile/appointments/", token[p]) for p in seeded.heavy_patient_ids],
            ),
            Scenario(
                "admin_appointments",
                "Admin appointments list",
                {200},
                [get("/api/admin-panel/appointments/", admin)],
            ),
            Scenario(
                "admin_reports",
                "Admin reports, all time",
                {200},
                [get("/api/admin-panel/reports/", admin)],
            ),
            Scenario(
                "booking",
                "Booking a free slot (201)",
                {201},
                booking_lines,
                once=True,
                warmup=False,
                probe=post(
                    "/api/appointments/book/", book_body(probe_slots[0]), token[probe_booker]
                ),
            ),
            Scenario(
                "booking_taken", "Booking a taken slot (400)", {400}, taken_lines, warmup=False
            ),
            # Last: each login hashes a password on purpose (Argon2id), so it saturates the workers.
            Scenario("login", "Login (POST /api/token/)", {200}, login_lines, warmup=False),
        ],
        probe_slots[1],
        token[probe_booker],
    )


# --- in-process pass: queries per request and EXPLAIN ------------------------------------------


def route_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def send(client, line):
    method, path, tok, body = line
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    return client.generic(
        method, path, data=body or "", content_type="application/json", headers=headers
    )


def explain(sql: str, written: str) -> dict:
    """The plan of `sql` as it ran (`EXECUTE name(…)` for a prepared one), shown as `written`."""
    from django.db import connection, transaction

    from healthcare.db import prepared

    run = prepared.executed_sql(sql)
    sql = written
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + run)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)  # EXPLAIN ANALYZE runs the statement
    except Exception as exc:  # noqa: BLE001 — a plan we can't get is reported, not fatal
        return {"sql": sql, "error": str(exc).strip()}
    ms = re.search(r"Execution Time: ([\d.]+) ms", plan)
    seq = sorted({t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in BIG_TABLES})
    return {
        "sql": sql,
        "plan": plan,
        "execution_ms": float(ms.group(1)) if ms else None,
        "seq_scans_on_big_tables": seq,
    }


def query_pass(scenarios: list[Scenario], second_booking, probe_token) -> None:
    """Each scenario's request twice through the test client; the second one is counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from healthcare.db import prepared

    for sc in scenarios:
        line = sc.probe or sc.lines[0]
        if not route_exists(line[1]):
            sc.result = {"available": False, "reason": "route not found (endpoint not landed)"}
            log(f"{sc.name}: not available (no route for {line[1].split('?')[0]})")
            continue
        client = Client()
        try:
            first = send(client, line)
            again = line
            if sc.name == "booking":
                # The first request took the probe slot; count a second, also fresh, booking.
                d, s, t = second_booking
                again = (
                    "POST",
                    "/api/appointments/book/",
                    probe_token,
                    json.dumps({"doctor": d, "schedule": s, "appointment_time": t}),
                )
            with CaptureQueriesContext(connection) as ctx:
                resp = send(client, again)
        except Exception as exc:  # noqa: BLE001 — a crashing endpoint is a finding, not a stop
            sc.result = {
                "available": True,
                "probe_status": 500,
                "probe_error": "".join(traceback.format_exception_only(exc)).strip()[-2000:],
            }
            log(f"{sc.name}: request raised {exc!r}")
            continue
        if resp.status_code == 404 and first.status_code == 404 and 404 not in sc.expected:
            body = resp.content[:300].decode(errors="replace")
            sc.result = {"available": False, "reason": f"404 from the endpoint: {body}"}
            log(f"{sc.name}: not available (404)")
            continue
        queries = [q["sql"] for q in ctx.captured_queries]
        plans = [
            explain(q, written)
            for q in queries
            # A statement that ran prepared (healthcare/db/prepared.py) is explained as it ran.
            if (written := prepared.written_sql(connection, q))
            .lstrip()
            .upper()
            .startswith(("SELECT", "WITH"))
        ]
        sc.result = {
            "available": True,
            "probe_status": resp.status_code,
            "probe_body": resp.content[:300].decode(errors="replace")
            if resp.status_code not in sc.expected
            else None,
            "queries": len(queries),
            "plans": plans,
        }
        log(f"{sc.name}: {resp.status_code}, {len(queries)} queries")


# --- serving and load --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, logfile: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "healthcare.wsgi:application"]
    conf = ROOT / "gunicorn.conf.py"
    if conf.exists():
        cmd += ["-c", str(conf)]
    else:
        cmd += ["--workers", str(2 * (os.cpu_count() or 1) + 1), "--keep-alive", "5"]
    # The command line wins over the config file: our own free port on loopback.
    cmd += ["--bind", f"127.0.0.1:{port}"]
    log(" ".join(cmd[1:]))
    out = logfile.open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=os.environ)
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/bench/floor/django/"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"bench: gunicorn exited early; see {logfile}:\n{logfile.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 — our loopback server
                if r.status == 200:
                    return proc
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    proc.terminate()
    sys.exit(f"bench: gunicorn did not answer within 60 s; see {logfile}")


def configured_workers() -> int:
    """Workers the committed gunicorn config (or this runner's default) starts."""
    conf = ROOT / "gunicorn.conf.py"
    if conf.exists():
        import runpy

        return int(runpy.run_path(str(conf)).get("workers", 1))
    return 2 * (os.cpu_count() or 1) + 1


def stop_gunicorn(proc: subprocess.Popen) -> None:
    # SIGINT: gunicorn's quick shutdown; SIGTERM would wait for a backlog of abandoned logins.
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_wrk(wrk, sc: Scenario, *, port, duration, threads, connections, tag) -> dict:
    reqfile = DATA / f"requests-{tag}-{sc.name}.tsv"
    with reqfile.open("w") as f:
        for method, path, tok, body in sc.lines:
            f.write(f"{method}\t{path}\t{tok or '-'}\t{body or '-'}\n")
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(reqfile),
        "BENCH_THREADS": str(threads),
        "BENCH_ONCE": "1" if sc.once else "0",
    }
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}",
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON ") :])
    raise RuntimeError(f"wrk printed no result (rc {proc.returncode}): {proc.stderr[-1000:]}")


def drain(port: int, limit: float = 120.0) -> None:
    """Wait until the workers are idle again.

    wrk closes its connections when its time is up, but sync workers still serve the requests
    already queued (a backlog of slow logins takes seconds); the next scenario must not pay that.
    """
    url = f"http://127.0.0.1:{port}/bench/floor/django/"
    deadline = time.monotonic() + limit
    quick = 0
    while time.monotonic() < deadline and quick < 3:
        began = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=limit) as r:  # noqa: S310 — loopback
                r.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
            continue
        quick = quick + 1 if time.monotonic() - began < 0.05 else 0


def load_pass(scenarios, *, wrk, port, duration, warmup, threads, connections, tag, booking_s):
    for sc in scenarios:
        if not sc.result.get("available"):
            continue
        drain(port)
        if sc.warmup and warmup:
            run_wrk(
                wrk,
                sc,
                port=port,
                duration=warmup,
                threads=threads,
                connections=connections,
                tag=tag,
            )
        secs = min(duration, booking_s) if sc.once else duration
        raw = run_wrk(
            wrk, sc, port=port, duration=secs, threads=threads, connections=connections, tag=tag
        )
        counted = raw["requests"] - raw["filler"]
        seconds = raw["duration_us"] / 1e6
        statuses = {int(k): v for k, v in raw["statuses"].items()}
        unexpected = {k: v for k, v in statuses.items() if k not in sc.expected}
        sc.result.update(
            {
                "seconds": round(seconds, 2),
                "requests": counted,
                "req_s": round(counted / seconds, 1) if seconds else 0.0,
                "p50_ms": round(raw["latency_us"]["p50"] / 1000, 2),
                "p90_ms": round(raw["latency_us"]["p90"] / 1000, 2),
                "p99_ms": round(raw["latency_us"]["p99"] / 1000, 2),
                "max_ms": round(raw["latency_us"]["max"] / 1000, 2),
                "statuses": statuses,
                "unexpected": unexpected,
                "socket_errors": raw["errors"],
                "list_exhausted": raw["filler"] > 0,
            }
        )
        log(
            f"{sc.name}: {sc.result['req_s']} req/s, p50 {sc.result['p50_ms']} ms, "
            f"p99 {sc.result['p99_ms']} ms, statuses {statuses}"
        )


def profile_pass(scenarios, names, *, wrk, server, port, duration, threads, connections, tag):
    """Run the named scenarios again under py-spy (a separate run: sampling costs CPU)."""
    from bench.profile import fold

    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        log("py-spy is not installed: no profiles (pip install -r requirements.txt)")
        return
    by_name = {sc.name: sc for sc in scenarios}
    if names == ["auto"]:
        # The three slowest reads; login is slow by design (hashing) and bookings need fresh slots.
        reads = [
            sc
            for sc in scenarios
            if sc.result.get("req_s")
            and not sc.once
            and sc.name != "login"
            and not sc.name.startswith("floor")
        ]
        names = [sc.name for sc in sorted(reads, key=lambda sc: sc.result["req_s"])[:3]]
    for name in names:
        sc = by_name.get(name)
        if not sc or not sc.result.get("available") or sc.once:
            continue
        drain(port)
        raw = DATA / f"profile-{tag}-{name}.txt"
        spy_proc = subprocess.Popen(
            [
                spy,
                "record",
                "--pid",
                str(server.pid),
                "--subprocesses",
                "--format",
                "raw",
                "--rate",
                "100",
                "--nonblocking",
                "--duration",
                str(duration),
                "--output",
                str(raw),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)  # py-spy attaches to every worker first
        run_wrk(
            wrk, sc, port=port, duration=duration, threads=threads, connections=connections, tag=tag
        )
        try:
            spy_proc.wait(timeout=duration + 30)
        except subprocess.TimeoutExpired:
            spy_proc.kill()
        if raw.exists():
            sc.result["profile"] = fold(raw.read_text(errors="replace"))
            top = ", ".join(f"{k} {v}%" for k, v in sc.result["profile"]["layers"][:3])
            log(f"{name}: profile {top}")


# --- one data size -----------------------------------------------------------------------------


def run_size(args, wrk, scale: float, tag: str) -> dict:
    import django
    from django.core.management import call_command
    from django.db import connections

    if django.apps.apps.ready:
        connections.close_all()  # the database is about to be dropped
    log(f"[{tag}] database {args.db}: drop, create, migrate")
    recreate_database(args)
    if not django.apps.apps.ready:
        django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"[{tag}] seeding at scale {scale}")
    from bench.seed import seed

    seeded = seed(scale=scale)
    log(f"[{tag}] seeded {seeded.counts} in {seeded.seconds:.1f}s")
    scenarios, second_slot, probe_token = build_scenarios(seeded, duration=args.duration)
    if args.only:
        keep = set(args.only.split(",")) | {"floor_django"}
        scenarios = [s for s in scenarios if s.name in keep]
    d, s, _day, t = second_slot
    query_pass(scenarios, (d, s, t.strftime("%H:%M")), probe_token)
    connections.close_all()

    port = free_port()
    logfile = DATA / f"gunicorn-{tag}.log"
    server = start_gunicorn(port, logfile) if not args.no_load else None
    try:
        # Booking runs are bounded by the free slots a data set has (~1,200 bookings/s of them).
        booking_s = max(1, min(args.duration, len(seeded.free_slots) // 1200))
        load = {
            "wrk": wrk,
            "port": port,
            "threads": args.threads,
            "connections": args.connections,
            "tag": tag,
        }
        # Logins go last, after the profiles: each hashes a password on purpose (Argon2id,
        # bench/hashing.md), so the backlog wrk leaves behind would bleed into whatever ran next.
        slow = [sc for sc in scenarios if sc.name == "login"]
        rest = [sc for sc in scenarios if sc.name != "login"]
        if server:
            load_pass(rest, duration=args.duration, warmup=args.warmup, booking_s=booking_s, **load)
            if args.profile:
                profile_pass(
                    scenarios,
                    args.profile.split(","),
                    server=server,
                    duration=args.duration,
                    **load,
                )
            # At ~2 logins/s on two cores, a short run would see none complete.
            load_pass(slow, duration=max(args.duration, 6), warmup=0, booking_s=0, **load)
    finally:
        if server:
            stop_gunicorn(server)
    # Boots include the workers gunicorn recycles after `max_requests`; each costs a stall.
    boots = logfile.read_text(errors="replace").count("Booting worker") if server else 0
    workers = configured_workers()
    floor = next((s.result for s in scenarios if s.name == "floor_django"), {})
    for sc in scenarios:
        if sc.result.get("req_s") and floor.get("req_s"):
            sc.result["ratio_to_floor"] = round(sc.result["req_s"] / floor["req_s"], 3)
    return {
        "scale": scale,
        "counts": seeded.counts,
        "seed_seconds": round(seeded.seconds, 1),
        "gunicorn_workers": workers,
        "gunicorn_worker_boots": boots,
        "gunicorn_config": "gunicorn.conf.py" if (ROOT / "gunicorn.conf.py").exists() else None,
        "scenarios": {
            sc.name: {
                "title": sc.title,
                "expected": sorted(sc.expected),
                "expected_queries": sc.queries,
                **sc.result,
            }
            for sc in scenarios
        },
    }


# --- reporting ---------------------------------------------------------------------------------


def machine(args, wrk) -> dict:
    import django
    import gunicorn
    from django.db import connection

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            pg = cursor.fetchone()[0]
    except Exception:  # noqa: BLE001
        pg = "unknown"
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram": mem,
        "os": platform.platform(),
        "postgresql": pg,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0:1],
        "git_commit": commit,
        "cache": "redis" if os.environ.get("REDIS_URL") else "local memory",
        "broker": args.broker or "none (in-process delivery)",
    }


def fmt_queries(name: str, res: dict, small: dict | None, is_main: bool) -> str:
    # Flat query counts: the same request must cost the same queries at both data sizes.
    queries = res.get("queries", "—")
    pinned = res.get("expected_queries")
    if pinned is not None and queries != pinned:
        return f"{queries} (expected {pinned}) ✗"
    other = (small or {}).get("scenarios", {}).get(name, {}).get("queries") if is_main else None
    if other is not None and other != queries:
        return f"{queries} (small: {other}) ✗"
    return str(queries)


def scaled_target(name: str, floor_req_s: float | None) -> float | None:
    """The target at this machine's speed, from its bare-Django floor (REFERENCE_FLOOR_REQ_S)."""
    if name not in TARGETS or not floor_req_s:
        return None
    metric, bound = TARGETS[name]
    factor = floor_req_s / REFERENCE_FLOOR_REQ_S
    return round(bound * factor if metric == "req_s" else bound / factor, 1)


def fmt_target(name: str, res: dict, floor_req_s: float | None = None) -> str:
    if name not in TARGETS or not res.get("requests"):
        return ""
    metric, bound = TARGETS[name]
    scaled = scaled_target(name, floor_req_s)
    if metric == "req_s":
        text = f"≥ {bound} req/s {'✓' if res['req_s'] >= bound else '✗'}"
        if scaled is not None:
            text += f"; at this floor ≥ {scaled:,.0f} {'✓' if res['req_s'] >= scaled else '✗'}"
        return text
    text = f"p99 ≤ {bound} ms {'✓' if res['p99_ms'] <= bound else '✗'}"
    if scaled is not None:
        text += f"; at this floor ≤ {scaled:,.0f} {'✓' if res['p99_ms'] <= scaled else '✗'}"
    return text


def fmt_statuses(res: dict) -> str:
    parts = [f"{code}×{n}" for code, n in sorted(res.get("statuses", {}).items())]
    return ", ".join(parts) or "—"


def write_results(args, runs: list[dict], info: dict, command: str, started: float) -> None:
    out_md = Path(args.out + ".md")
    out_json = Path(args.out + ".json")
    main = runs[0]
    small = runs[1] if len(runs) > 1 else None
    doc = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "wall_seconds": round(time.monotonic() - started, 1),
        "machine": info,
        "load": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
        },
        "runs": runs,
    }
    out_json.write_text(json.dumps(doc, indent=2, default=str) + "\n")

    lines = [
        "# Benchmark results",
        "",
        f"Command: `{command}` — {doc['generated_at']}, commit {info['git_commit']}, "
        f"wall time {doc['wall_seconds']:.0f} s.",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; {info['os']}; "
        f"{info['postgresql'].split(' on ')[0]}; Python {info['python']}, Django "
        f"{info['django']}, gunicorn {info['gunicorn']} ({main['gunicorn_workers']} workers, "
        f"{main.get('gunicorn_worker_boots', 0)} worker boots counting max_requests recycling, "
        f"config {main['gunicorn_config'] or 'none: run.py defaults'}), "
        f"{' '.join(info['wrk']) or 'wrk'}; cache: {info['cache']}; broker: "
        f"{info.get('broker', 'unknown')}; load average before the "
        f"run {info['load_average_at_start']}, after {[round(x, 2) for x in os.getloadavg()]}.",
        "",
        f"Load: wrk co-located on the same cores, {args.threads} threads, {args.connections} "
        f"connections, {args.duration} s per endpoint after a {args.warmup} s warm-up (reads).",
        "",
    ]
    for run in runs:
        counts = ", ".join(f"{k} {v:,}" for k, v in run["counts"].items())
        floor_req_s = run["scenarios"].get("floor_django", {}).get("req_s")
        lines += [
            f"## Scale {run['scale']} ({counts}; seeded in {run['seed_seconds']} s)",
            "",
            "| endpoint | req/s | × floor | p50 ms | p99 ms | "
            + ("p99 × small | " if small and run is main else "")
            + "queries/req | issue 6 target (and scaled to this machine's floor) | "
            + "statuses (expected) |",
            "|---|---:|---:|---:|---:|"
            + ("---:|" if small and run is main else "")
            + "---:|---|---|",
        ]
        for name, res in run["scenarios"].items():
            if not res.get("available"):
                lines.append(
                    f"| {res['title']} | not available | | | | "
                    + ("| " if small and run is main else "")
                    + f"| | {res.get('reason', '')[:80]} |"
                )
                continue
            cmp = ""
            if small and run is main:
                other = small["scenarios"].get(name, {})
                if other.get("p99_ms") and res.get("p99_ms"):
                    ratio = res["p99_ms"] / other["p99_ms"]
                    cmp = f"{ratio:.2f}{' ✗' if ratio > P99_GROWTH_LIMIT else ''} | "
                else:
                    cmp = "— | "
            expected = "/".join(str(c) for c in res["expected"])
            flags = []
            if res.get("unexpected"):
                flags.append("**UNEXPECTED**")
            if res.get("list_exhausted"):
                flags.append("list exhausted")
            if res.get("probe_status") not in res["expected"]:
                flags.append(f"probe {res.get('probe_status')}")
            lines.append(
                f"| {res['title']} | {res.get('req_s', 0):,.0f} | "
                f"{res.get('ratio_to_floor', 0):.3f} | {res.get('p50_ms', 0)} | "
                f"{res.get('p99_ms', 0)} | {cmp}{fmt_queries(name, res, small, run is main)} | "
                f"{fmt_target(name, res, floor_req_s)} | {fmt_statuses(res)} ({expected}) "
                f"{' '.join(flags)} |"
            )
        lines.append("")
    lines += [
        f"## Query plans (scale {main['scale']})",
        "",
        PLANS_NOTE.format(tables=", ".join(BIG_TABLES)),
        "",
    ]
    for res in main["scenarios"].values():
        plans = [p for p in res.get("plans", []) if "plan" in p]
        if not plans:
            continue
        seq = sorted({t for p in plans for t in p["seq_scans_on_big_tables"]})
        total = sum(p["execution_ms"] or 0 for p in plans)
        lines += [
            f"### {res['title']}",
            "",
            f"{len(plans)} SELECTs, {total:.2f} ms of execution in all; seq scans on large "
            f"tables: {', '.join(seq) or 'none'}.",
            "",
        ]
        for p in sorted(plans, key=lambda p: -(p["execution_ms"] or 0))[:2]:
            sql = p["sql"] if len(p["sql"]) < 1500 else p["sql"][:1500] + " …"
            lines += ["```sql", sql, "```", "```", p["plan"], "```", ""]
    profiled = [res for res in main["scenarios"].values() if res.get("profile", {}).get("samples")]
    if profiled:
        lines += [
            f"## Where the time goes (py-spy, scale {main['scale']})",
            "",
            "Samples of all gunicorn workers under the same wrk load, each charged to the "
            "layer of its innermost matching frame (bench/profile.py); raw stacks: bench/data/.",
            "",
        ]
        for res in profiled:
            prof = res["profile"]
            lines += [
                f"### {res['title']} ({prof['samples']} samples)",
                "",
                "| layer | share |",
                "|---|---:|",
                *[f"| {name} | {pct}% |" for name, pct in prof["layers"]],
                "",
                "Hottest frames (self time): "
                + "; ".join(f"`{name}` {pct}%" for name, pct in prof["self"][:8]),
                "",
            ]
    out_md.write_text("\n".join(lines) + "\n")
    log(f"wrote {out_md} and {out_json}")


def failures(runs: list[dict]) -> list[str]:
    found = []
    for run in runs:
        for name, res in run["scenarios"].items():
            if not res.get("available"):
                continue
            if res.get("probe_status") not in res["expected"]:
                found.append(
                    f"scale {run['scale']} {name}: test-client request answered "
                    f"{res.get('probe_status')} ({res.get('probe_error') or res.get('probe_body')})"
                )
            if res.get("unexpected"):
                found.append(
                    f"scale {run['scale']} {name}: unexpected statuses {res['unexpected']}"
                )
            pinned = res.get("expected_queries")
            if pinned is not None and res.get("queries") not in (None, pinned):
                found.append(
                    f"scale {run['scale']} {name}: {res['queries']} queries per request, "
                    f"expected {pinned}"
                )
            errors = res.get("socket_errors") or {}
            if res.get("requests") == 0 and any(
                errors.get(k) for k in ("connect", "read", "write")
            ):
                # None answered and the connections failed: the server is down, not just slow.
                found.append(f"scale {run['scale']} {name}: no request completed ({errors})")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Healthcare API benchmark (issue 6)")
    parser.add_argument("--scale", type=float, default=1.0, help="data size; 1 = default size")
    parser.add_argument(
        "--compare-scale",
        type=float,
        default=None,
        help="also run this (smaller) size and report the p99 ratio, e.g. 0.01",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds (reads only)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default="healthcare_bench", help="database to create and drop")
    parser.add_argument("--out", default=str(BENCH / "results"), help="path prefix for .md/.json")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument(
        "--no-load", action="store_true", help="seed, count queries and EXPLAIN; no gunicorn/wrk"
    )
    parser.add_argument(
        "--profile", default="", help="scenario names to profile with py-spy, or 'auto'"
    )
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9"),
        help="the task queue's broker; empty for in-process delivery",
    )
    parser.add_argument(
        "--cache",
        default="",
        help="a Redis URL for the cache (throttles), as deployed; empty: per-process memory",
    )
    parser.add_argument("--keep-db", action="store_true", help="leave the database for inspection")
    parser.add_argument("--command-label", default="", help="the command shown in the results")
    args = parser.parse_args(argv)

    started = time.monotonic()
    command = args.command_label or "python bench/run.py " + " ".join(sys.argv[1:])
    (DATA / "static").mkdir(parents=True, exist_ok=True)
    configure_env(args)
    wrk = ensure_wrk()
    # Other work on the machine skews every figure; a busy start shows here.
    load_start = [round(x, 2) for x in os.getloadavg()]
    runs = [run_size(args, wrk, args.scale, "main")]
    info = {**machine(args, wrk), "load_average_at_start": load_start}
    if args.compare_scale:
        runs.append(run_size(args, wrk, args.compare_scale, "small"))
    from django.db import connections

    connections.close_all()
    if not args.keep_db:
        drop_database(args)
    empty_bench_queue(args)
    write_results(args, runs, info, command, started)
    problems = failures(runs)
    for p in problems:
        log("FAIL " + p)
    log(f"done in {time.monotonic() - started:.0f} s; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

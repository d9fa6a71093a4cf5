"""Helpers for the cluster drill (test_drill.py) and the mixed-load figure (load.py).

Loopback only: every request goes to the balancer or a node on 127.0.0.1, every load is bounded
in count and time, and stops by itself.
"""

import http.client
import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2

HERE = Path(__file__).resolve().parent
CLUSTER_SH = HERE / "cluster.sh"
BASE_URL = os.environ.get(
    "CLUSTER_URL", f"http://127.0.0.1:{os.environ.get('CLUSTER_PORT', '8080')}"
)
PRIMARY_PORT = int(os.environ.get("CLUSTER_PRIMARY_PORT", "25432"))
REPLICA_PORT = int(os.environ.get("CLUSTER_REPLICA_PORT", "25433"))
BOUNCER_PORT = int(os.environ.get("CLUSTER_PGBOUNCER_PORT", "26432"))
NODE_PORTS = [int(p) for p in os.environ.get("CLUSTER_NODE_PORTS", "18081 18082").split()]
STATE = Path(
    os.environ.get("CLUSTER_STATE_DIR", str(Path(tempfile.gettempdir()) / "healthcare-cluster"))
)
ACTIVE = ("pending", "confirmed")
# The router's own lag check, left out when counting the replica's reads.
LAG_CHECK_PREFIX = "SELECT pg_is_in_recovery()"


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection refused or reset)
    body: object
    served_by: str
    started: float
    seconds: float


def request(method, path, *, token=None, body=None, port=None, timeout=30.0) -> Answer:
    """One request to the balancer (or to one node's `port`), on a fresh connection."""
    base = urllib.parse.urlsplit(BASE_URL)
    host, target_port = base.hostname, port or base.port
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, target_port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        served_by = response.getheader("X-Served-By", f"port {target_port}")
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw[:200]
        return Answer(response.status, parsed, served_by, started, time.monotonic() - started)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(0, str(exc), "", started, time.monotonic() - started)
    finally:
        conn.close()


def book(patient, slot, doctor_id, **kwargs) -> Answer:
    return request(
        "POST",
        "/api/appointments/book/",
        token=patient["access"],
        body={
            "doctor": doctor_id,
            "schedule": slot["schedule"],
            "appointment_time": slot["time"],
        },
        **kwargs,
    )


def cluster_sh(*args, check=True) -> str:
    result = subprocess.run(  # noqa: S603 (our own script, fixed arguments)
        ["/bin/bash", str(CLUSTER_SH), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"cluster.sh {' '.join(map(str, args))}: {result.stderr[-2000:]}")
    return result.stdout


def drill_data(doctors: int, patients: int) -> dict:
    return json.loads(cluster_sh("python", HERE / "drill_data.py", doctors, patients))


def sql(port: int, query: str, params=()):
    """Rows of one query on the primary or the replica, as the superuser, straight to the server."""
    conn = psycopg2.connect(
        host="127.0.0.1", port=port, user="postgres", dbname="healthcare", connect_timeout=3
    )
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


def pgbouncer_admin(command: str) -> None:
    """One command on PgBouncer's admin console (its `pgbouncer` database)."""
    conn = psycopg2.connect(
        host="127.0.0.1", port=BOUNCER_PORT, user="postgres", dbname="pgbouncer", connect_timeout=3
    )
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(command)
    finally:
        conn.close()


def alive_node(n: int) -> bool:
    try:
        os.kill(int((STATE / f"node{n}.pid").read_text().split()[0]), 0)
    except (OSError, ValueError):
        return False
    return True


def servers_up() -> int:
    return int(cluster_sh("servers-up").strip() or 0)


def wait_until(predicate, seconds: float, step: float = 0.1) -> float | None:
    """Seconds until `predicate()` held, or None if it never did within `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if predicate():
            return time.monotonic() - start
        time.sleep(step)
    return None


@dataclass
class Load:
    """Threads running `step(thread_index)` until `seconds` pass or `max_requests` are made."""

    step: object
    threads: int
    seconds: float
    max_requests: int = 5000
    answers: list = field(default_factory=list)

    def run(self, during=None):
        lock = threading.Lock()
        stop = time.monotonic() + self.seconds

        def worker(index):
            while time.monotonic() < stop:
                with lock:
                    if len(self.answers) >= self.max_requests:
                        return
                answer = self.step(index)
                if answer is None:
                    return
                with lock:
                    self.answers.append(answer)

        workers = [threading.Thread(target=worker, args=(i,)) for i in range(self.threads)]
        for w in workers:
            w.start()
        try:
            if during:
                during()
        finally:
            for w in workers:
                w.join()
        return self.answers


def statement_calls(port: int) -> list[tuple[int, str]]:
    return sql(
        port,
        "SELECT calls, query FROM pg_stat_statements "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'healthcare')",
    )


def reset_statements() -> None:
    for port in (PRIMARY_PORT, REPLICA_PORT):
        sql(port, "SELECT pg_stat_statements_reset()")


LOCKS = ("FOR UPDATE", "FOR NO KEY UPDATE", "FOR SHARE", "FOR KEY SHARE")


def reads_on(port: int) -> int:
    """Plain SELECTs one server ran since the last reset (a UNION of them too): not the health
    check's `SELECT 1`, not the router's lag check, not the locking reads of writes."""
    total = 0
    for calls, query in statement_calls(port):
        text = " ".join(query.split())
        upper = text.upper()
        # FOR UPDATE / FOR SHARE: a booking's or an edit's lock on its schedule or appointment;
        # FOR KEY SHARE: a foreign key's check on a write.
        if not upper.lstrip("(").startswith("SELECT") or any(lock in upper for lock in LOCKS):
            continue
        if text.startswith(LAG_CHECK_PREFIX) or upper in {"SELECT $1", "SELECT 1"}:
            continue
        if "PG_STAT_STATEMENTS" in upper:
            continue
        total += calls
    return total


def read_counts() -> dict:
    return {"primary": reads_on(PRIMARY_PORT), "replica": reads_on(REPLICA_PORT)}


def mixed_load(data: dict, *, seconds: float = 15.0, threads: int = 6):
    """Reads and bookings through the balancer; returns (answers, per-server read counts).

    The mix: one request in five is a booking, by one of a fifth of the patients (each books a
    free slot); the rest are reads: the directory and a doctor's slots (anonymous), and the
    other patients' own appointment lists (signed in, no booking of theirs in this run).
    Bookers' own next reads stay on the primary for a few seconds (read-your-writes).
    """
    patients = data["patients"]
    bookers, readers = patients[: len(patients) // 5], patients[len(patients) // 5 :]
    # Each slot with its booker: the same time at several doctors goes to different patients
    # (a patient can't hold two bookings at one time).
    slots = [
        (d["id"], s, bookers[(k + i) % len(bookers)])
        for i, d in enumerate(data["doctors"])
        for k, s in enumerate(d["slots"])
    ]
    doctor_ids = [d["id"] for d in data["doctors"]]
    lock = threading.Lock()
    counter = {"n": 0}

    def step(index):
        with lock:
            n = counter["n"]
            counter["n"] += 1
            doctor_id, slot, booker = slots.pop(0) if n % 5 == 0 and slots else (None, None, None)
        if slot:
            return book(booker, slot, doctor_id)
        kind = n % 3
        if kind == 0:
            query = "ordering=-experience_years" if n % 2 else "specialization=cardiology"
            return request("GET", f"/api/doctors/?{query}")
        if kind == 1:
            return request("GET", f"/api/doctors/{doctor_ids[n % len(doctor_ids)]}/slots/")
        reader = readers[n % len(readers)]
        return request("GET", "/api/profile/appointments/", token=reader["access"])

    reset_statements()
    answers = Load(step, threads=threads, seconds=seconds, max_requests=20_000).run()
    return answers, read_counts()

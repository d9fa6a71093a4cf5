"""The cluster drill: the service on two app nodes behind HAProxy, PgBouncer, a primary and a
streaming replica (ops/cluster/cluster.sh), exercised through the balancer.

Marker `cluster`; skipped unless CLUSTER_URL names the balancer of a running cluster (so a
plain `make test` never loads a cluster someone left up). `make cluster-drill` starts a cluster
with throttles raised for a load from one address, runs these, and stops it. Every load is
bounded in time and count.
"""

import threading
import time

import pytest

from ops.cluster import drill_lib as lib

pytestmark = pytest.mark.cluster

# How long after a failure the drill allows before no request may fail.
BALANCER_DETECTION_SECONDS = 5.0  # HAProxy: a check every 1 s, down after 2 failures
# PgBouncer gives up on a dead server after 2 s (query_wait_timeout), and a process's replica
# verdict lives 1 s: 5 s leaves room for a slow machine.
REPLICA_DETECTION_SECONDS = 5.0


@pytest.fixture(scope="module")
def cluster(cluster):
    # The conftest's, and the drill starts with every app node up (it takes them down).
    assert lib.servers_up() == len(lib.NODE_PORTS)


@pytest.fixture(scope="module")
def data(cluster):
    return lib.drill_data(doctors=8, patients=60)


@pytest.fixture
def all_nodes_back(cluster):
    yield
    for n in range(1, len(lib.NODE_PORTS) + 1):
        if not lib.alive_node(n):
            lib.cluster_sh("start-node", n)
    assert lib.wait_until(lambda: lib.servers_up() == len(lib.NODE_PORTS), 30) is not None


@pytest.fixture
def replica_back(cluster):
    yield
    lib.cluster_sh("start-replica")


ACTIVE_IN_SLOT = (
    "SELECT id FROM appointments_appointmentbooking "
    "WHERE status IN ('pending', 'confirmed') AND schedule_id = %s AND appointment_time = %s"
)
ACTIVE_BY_ID = (
    "SELECT id, patient_id, schedule_id, appointment_time FROM appointments_appointmentbooking "
    "WHERE status IN ('pending', 'confirmed') AND id = ANY(%s)"
)


def test_racing_clients_on_both_nodes_get_exactly_one_booking_of_one_slot(data):
    doctor = data["doctors"][0]
    slot = doctor["slots"][0]
    patients = data["patients"][:24]
    barrier = threading.Barrier(len(patients))
    answers = [None] * len(patients)

    def attempt(i):
        barrier.wait()
        answers[i] = lib.book(patients[i], slot, doctor["id"])

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(patients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    statuses = sorted(a.status for a in answers)
    print(f"\nrace: statuses {statuses}, nodes {sorted({a.served_by for a in answers})}")
    assert statuses.count(201) == 1
    assert set(statuses) == {201, 400}
    assert {a.served_by for a in answers} == {"node1", "node2"}
    rows = lib.sql(lib.PRIMARY_PORT, ACTIVE_IN_SLOT, [slot["schedule"], slot["time"]])
    assert len(rows) == 1


def test_a_node_killed_during_booking_load_loses_no_booking_and_is_routed_around_in_5_s(
    data, all_nodes_back
):
    doctors = data["doctors"][1:4]
    slots = [(d["id"], s) for d in doctors for s in d["slots"]]
    patients = data["patients"][24:32]
    lock = threading.Lock()

    def step(index):
        with lock:
            if not slots:
                return None
            doctor_id, slot = slots.pop(0)
        answer = lib.book(patients[index], slot, doctor_id)
        answer.slot = slot
        time.sleep(0.2)  # a steady load, not a flood: the slots must last the 12 s
        return answer

    events = {}

    def kill_node_one():
        time.sleep(3)
        events["killed"] = time.monotonic()
        lib.cluster_sh("kill-node", 1)
        events["detected"] = lib.wait_until(lambda: lib.servers_up() == 1, 10)

    answers = lib.Load(step, threads=len(patients), seconds=12, max_requests=500).run(
        during=kill_node_one
    )

    killed = events["killed"]
    created = [a for a in answers if a.status == 201]
    failed = [a for a in answers if a.status == 0 or a.status >= 500]
    late_failures = [a for a in failed if a.started > killed + BALANCER_DETECTION_SECONDS]
    print(
        f"\nkill: {len(answers)} bookings tried, {len(created)} created "
        f"({sum(a.started > killed for a in created)} after the kill), "
        f"{len(failed)} failed (in flight on the killed node), "
        f"balancer marked node1 down after {events['detected']:.1f} s"
    )
    assert events["detected"] is not None
    assert events["detected"] < BALANCER_DETECTION_SECONDS
    assert not late_failures
    assert any(a.started > killed + BALANCER_DETECTION_SECONDS for a in created)
    # Every 201 has its row, as answered.
    ids = [a.body["id"] for a in created]
    rows = {r[0]: r for r in lib.sql(lib.PRIMARY_PORT, ACTIVE_BY_ID, [ids])}
    assert len(rows) == len(ids)
    for a in created:
        assert (rows[a.body["id"]][2], rows[a.body["id"]][3].strftime("%H:%M")) == (
            a.slot["schedule"],
            a.slot["time"],
        )
    # No slot is held twice (the partial unique index says so too; this checks the outcome).
    doubles = lib.sql(
        lib.PRIMARY_PORT,
        "SELECT schedule_id, appointment_time FROM appointments_appointmentbooking "
        "WHERE status IN ('pending', 'confirmed') AND doctor_id = ANY(%s) "
        "GROUP BY 1, 2 HAVING count(*) > 1",
        [[d["id"] for d in doctors]],
    )
    assert doubles == []


def test_a_stopped_replica_moves_reads_to_the_primary_with_no_5xx_after_detection(
    data, replica_back
):
    doctor_ids = [d["id"] for d in data["doctors"]]
    patients = data["patients"][36:42]

    def read(index):
        kind = index % 3
        if kind == 0:
            return lib.request("GET", "/api/doctors/?ordering=full_name")
        if kind == 1:
            return lib.request("GET", f"/api/doctors/{doctor_ids[index % len(doctor_ids)]}/slots/")
        return lib.request("GET", "/api/profile/appointments/", token=patients[index]["access"])

    def step(index):
        answer = read(index)
        # A steady load, not a flood: at most 6 × 14 s / 0.02 s = 4,200 reads, under the cap, so
        # the load lasts the whole 14 s however fast the host (a flood of 3,000 reads on a fast
        # host ended before the detection window did).
        time.sleep(0.02)
        return answer

    events = {}

    def stop_replica():
        time.sleep(3)
        events["stopped"] = time.monotonic()
        lib.cluster_sh("stop-replica")
        events["reads_before"] = lib.reads_on(lib.PRIMARY_PORT)

    lib.reset_statements()
    answers = lib.Load(step, threads=6, seconds=14, max_requests=5000).run(during=stop_replica)

    stopped = events["stopped"]
    errors = [a for a in answers if a.status == 0 or a.status >= 500]
    late = [a for a in errors if a.started > stopped + REPLICA_DETECTION_SECONDS]
    after = [a for a in answers if a.started > stopped + REPLICA_DETECTION_SECONDS]
    slowest = max((a.seconds for a in answers if a.started > stopped), default=0)
    print(
        f"\nreplica stop: {len(answers)} reads, {len(errors)} errors "
        f"({len(late)} after {REPLICA_DETECTION_SECONDS:.0f} s), slowest after the stop "
        f"{slowest:.2f} s"
    )
    assert after, "the load ended before the detection window did"
    assert all(a.status == 200 for a in after)
    assert not late
    # The reads after the stop were served, so by the primary: its count of reads grew.
    assert lib.reads_on(lib.PRIMARY_PORT) > events["reads_before"]


def test_a_patients_booking_is_visible_in_their_very_next_read_through_the_other_node(data):
    doctor = data["doctors"][4]
    patient = data["patients"][42]
    # The replica applies each commit 3 s late, so a read that reaches it can't see a booking
    # just made: only the read-your-writes pin can make it visible.
    lib.sql(lib.REPLICA_PORT, "ALTER SYSTEM SET recovery_min_apply_delay = '3s'")
    lib.sql(lib.REPLICA_PORT, "SELECT pg_reload_conf()")
    try:
        for slot in doctor["slots"][:4]:
            booked = lib.book(patient, slot, doctor["id"])
            assert booked.status == 201, booked.body
            other = lib.NODE_PORTS[1] if booked.served_by == "node1" else lib.NODE_PORTS[0]
            listed = lib.request(
                "GET", "/api/profile/appointments/", token=patient["access"], port=other
            )
            on_replica = lib.sql(
                lib.REPLICA_PORT,
                "SELECT count(*) FROM appointments_appointmentbooking WHERE id = %s",
                [booked.body["id"]],
            )[0][0]

            assert listed.status == 200
            assert booked.body["id"] in [row["id"] for row in listed.body["results"]]
            assert on_replica == 0, "the replica had the booking already: the check proves nothing"
    finally:
        lib.sql(lib.REPLICA_PORT, "ALTER SYSTEM RESET recovery_min_apply_delay")
        lib.sql(lib.REPLICA_PORT, "SELECT pg_reload_conf()")


def test_a_mixed_load_reads_mostly_from_the_replica(data):
    answers, reads = lib.mixed_load({**data, "doctors": data["doctors"][5:]}, seconds=12)
    share = reads["replica"] / max(1, reads["primary"] + reads["replica"])
    bad = [a for a in answers if a.status == 0 or a.status >= 500]
    print(
        f"\nmixed load: {len(answers)} requests in 12 s, {len(bad)} errors; plain SELECTs: "
        f"replica {reads['replica']}, primary {reads['primary']}: {share:.0%} on the replica"
    )
    assert not bad
    assert share > 0.5


def test_connections_pgbouncer_dropped_are_replaced_before_the_next_request_uses_them(data):
    # The project's backend (healthcare/db/postgresql) checks a reused connection without a
    # round trip: a socket with something to read (PgBouncer's goodbye) is tested and replaced.
    # KILL drops every client and server connection of both pools at once.
    before = [lib.request("GET", "/api/doctors/?ordering=full_name") for _ in range(8)]
    assert all(a.status == 200 for a in before)
    for database in ("healthcare", "healthcare_replica"):
        lib.pgbouncer_admin(f"KILL {database}")
        lib.pgbouncer_admin(f"RESUME {database}")

    # Enough requests that every worker of both nodes serves some, each on a dropped connection.
    after = [lib.request("GET", "/api/doctors/?ordering=full_name") for _ in range(16)]
    after += [
        lib.book(data["patients"][44], s, data["doctors"][4]["id"])
        for s in data["doctors"][4]["slots"][8:12]
    ]

    assert [a.status for a in after] == [200] * 16 + [201] * 4

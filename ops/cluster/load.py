"""The replica's share of reads under a mixed load through the balancer (`make cluster-load`).

Needs a running cluster (`make cluster-up`; raise THROTTLE_ANON and THROTTLE_USER for it, as
`make cluster-drill` does, or the throttles answer most of the load with 429). Creates its own
doctors and patients, runs reads and bookings (one request in five books) from a few threads
for a bounded time, and counts the plain SELECTs each server ran (pg_stat_statements, reset
first): the health check's `SELECT 1`, the router's lag check and `SELECT ... FOR UPDATE` are
left out.
"""

import argparse
import collections
import sys

from ops.cluster import drill_lib as lib


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long (at most 120)")
    parser.add_argument("--threads", type=int, default=6, help="concurrent clients (at most 32)")
    args = parser.parse_args()
    seconds, threads = min(args.seconds, 120.0), min(args.threads, 32)

    if lib.request("GET", "/api/health/", timeout=3).status != 200:
        print(f"no cluster answers at {lib.BASE_URL} (make cluster-up)", file=sys.stderr)
        return 1
    data = lib.drill_data(doctors=4, patients=40)
    answers, reads = lib.mixed_load(data, seconds=seconds, threads=threads)
    statuses = collections.Counter(a.status for a in answers)
    total = reads["primary"] + reads["replica"]
    share = reads["replica"] / total if total else 0.0
    print(
        f"{len(answers)} requests in {seconds:.0f} s from {threads} threads through {lib.BASE_URL}"
    )
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(
        f"plain SELECTs: replica {reads['replica']}, primary {reads['primary']}; "
        f"replica share {share:.1%}"
    )
    return 0 if all(0 < s < 500 for s in statuses) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Fixtures shared by the cluster's test modules (test_drill.py, test_smoke.py)."""

import os

import pytest

from ops.cluster import drill_lib as lib


@pytest.fixture(scope="module")
def cluster():
    """Skips the module unless CLUSTER_URL names the balancer of a running cluster (so a plain
    `make test` never loads a cluster someone left up)."""
    if not os.environ.get("CLUSTER_URL"):
        pytest.skip("set CLUSTER_URL to a running cluster's balancer (make cluster-drill does)")
    if lib.request("GET", "/api/health/", timeout=3).status != 200:
        pytest.skip(f"no cluster answers at {lib.BASE_URL} (make cluster-up)")

"""The runner fails on statuses (and pinned query counts) a scenario didn't expect, never on
speed."""

from bench.run import failures


def run_with(**scenario):
    base = {"title": "t", "expected": [200], "available": True, "probe_status": 200}
    return [{"scale": 1.0, "scenarios": {"s": {**base, **scenario}}}]


def test_a_clean_slow_scenario_is_not_a_failure():
    assert failures(run_with(requests=3, req_s=0.3, p99_ms=9000.0, unexpected={})) == []


def test_an_unexpected_status_under_load_is_a_failure():
    assert failures(run_with(requests=10, unexpected={500: 1}))


def test_an_unexpected_status_from_the_test_client_is_a_failure():
    assert failures(run_with(probe_status=400, requests=10, unexpected={}))


def test_a_scenario_whose_connections_failed_is_a_failure():
    errors = {"connect": 16, "read": 0, "write": 0, "timeout": 0}
    assert failures(run_with(requests=0, unexpected={}, socket_errors=errors))


def test_a_scenario_too_slow_to_complete_a_request_is_not_a_failure():
    errors = {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    assert failures(run_with(requests=0, unexpected={}, socket_errors=errors)) == []


def test_a_request_costing_other_than_its_pinned_queries_is_a_failure():
    assert failures(run_with(requests=10, unexpected={}, queries=3, expected_queries=2))


def test_a_request_costing_its_pinned_queries_is_not_a_failure():
    assert failures(run_with(requests=10, unexpected={}, queries=2, expected_queries=2)) == []


def test_the_queries_cell_flags_a_count_other_than_the_pinned_one():
    from bench.run import fmt_queries

    assert fmt_queries("s", {"queries": 3, "expected_queries": 2}, None, True) == "3 (expected 2) ✗"


def test_an_endpoint_not_landed_yet_is_not_a_failure():
    assert failures(run_with(available=False, probe_status=None)) == []


def test_a_throughput_target_scales_with_the_machines_floor():
    from bench.run import scaled_target

    # The reference machine served 6,000 req/s bare; one at 3,000 owes half the req/s.
    assert scaled_target("doctors_list", 3000) == 350.0
    assert scaled_target("doctors_list", None) is None


def test_a_latency_bound_scales_inversely_with_the_machines_floor():
    from bench.run import scaled_target

    assert scaled_target("admin_reports", 3000) == 600.0


def test_the_target_cell_reports_both_the_absolute_and_the_scaled_verdict():
    from bench.run import fmt_target

    cell = fmt_target("slots", {"requests": 10, "req_s": 400.0}, floor_req_s=3000)
    assert cell == "≥ 750 req/s ✗; at this floor ≥ 375 ✓"

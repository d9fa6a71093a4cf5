"""RateWindow: the one way every throttle counts (healthcare/api/throttling.py), on whichever
cache the settings give (Redis in CI, local memory without REDIS_URL)."""

import pytest
from django.core.cache import cache

from healthcare.api.throttling import RateWindow, count_hit

NOW = 1_800_000_015.0  # 15 s into a minute


def window(now=NOW, limit=3, duration=60):
    return RateWindow("throttle_test_ident", limit=limit, duration=duration, now=now)


def test_hits_up_to_the_limit_pass_and_the_next_is_refused():
    assert [window().hit() for _ in range(4)] == [True, True, True, False]


def test_a_new_window_starts_a_new_count():
    for _ in range(3):
        window().hit()
    assert window(now=NOW + 60).hit() is True


def test_other_keys_count_apart():
    for _ in range(3):
        window().hit()
    other = RateWindow("throttle_test_other", limit=3, duration=60, now=NOW)
    assert other.hit() is True


def test_retry_after_runs_to_the_end_of_the_window():
    assert window().wait == 45


def test_retry_after_is_at_least_a_second():
    assert window(now=NOW + 44.9).wait == 1


def test_a_refund_gives_one_hit_back():
    limit = window()
    for _ in range(3):
        limit.hit()
    limit.refund()
    assert window().hit() is True
    assert window().hit() is False


def test_a_refund_after_the_window_expired_changes_nothing():
    window().refund()
    assert cache.get(window().key) is None


def test_the_count_is_readable_from_the_cache():
    count_hit("throttle_test_counter", 10)
    count_hit("throttle_test_counter", 10)
    assert cache.get("throttle_test_counter") == 2


def test_the_counter_expires_with_its_window():
    if not hasattr(cache, "count"):
        pytest.skip("REDIS_URL is not set: local memory keeps no TTL to read")
    count_hit("throttle_test_ttl", 61)
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("throttle_test_ttl")) <= 61


def test_the_redis_cache_keeps_one_client_for_its_pool():
    if not hasattr(cache, "count"):
        pytest.skip("REDIS_URL is not set: the cache is local memory")
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)

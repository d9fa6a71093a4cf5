"""CPU per cache operation on Redis, Django's backend against the project's:
`python bench/cache_timing.py [redis://127.0.0.1:6379/13]`.

A throttle's step is what each request pays per throttle (two per API request): DRF's read and
write-back of a 100-entry timestamp history on Django's `RedisCache`, against the project's
`RateWindow.hit` (one MULTI/EXEC round trip on `healthcare.cache.RedisCache`). Prints the CPU
time per operation (process time, so waiting on Redis is not counted) of three rounds.
"""

import sys
import time
from pathlib import Path

import django
from django.conf import settings

OPERATIONS = 3000
ROUNDS = 3


def cpu_us(operation) -> list[float]:
    for _ in range(200):
        operation()
    rounds = []
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(OPERATIONS):
            operation()
        rounds.append((time.process_time() - started) * 1e6 / OPERATIONS)
    return rounds


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "redis://127.0.0.1:6379/13"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    settings.configure(
        CACHES={
            "default": {
                "BACKEND": "healthcare.cache.RedisCache",
                "LOCATION": url,
                "OPTIONS": options,
            },
            "django": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "OPTIONS": options,
            },
        }
    )
    django.setup()
    from django.core.cache import caches

    from healthcare.api.throttling import RateWindow

    ours, djangos = caches["default"], caches["django"]
    history = [time.time()] * 100

    def drf_step():
        djangos.get("bench_throttle_drf", [])
        djangos.set("bench_throttle_drf", history, 60)

    def window_step():
        RateWindow("bench_throttle_window", limit=10**9, duration=60, now=time.time()).hit()

    rows = [
        ("a throttle's step, DRF on Django's RedisCache (GET + SET)", drf_step),
        ("a throttle's step, RateWindow.hit on healthcare.cache", window_step),
        ("a GET, Django's RedisCache", lambda: djangos.get("bench_get")),
        ("a GET, healthcare.cache.RedisCache", lambda: ours.get("bench_get")),
    ]
    print(f"CPU per operation, {ROUNDS} rounds of {OPERATIONS:,}, Redis at {url}")
    for label, operation in rows:
        print(f"{label}: " + " / ".join(f"{us:.0f} µs" for us in cpu_us(operation)))
    # The window's counter expires with its window.
    djangos.delete("bench_throttle_drf")


if __name__ == "__main__":
    main()

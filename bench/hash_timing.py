"""Time one password check with each hasher the project has used: `python bench/hash_timing.py`.

Prints the median and fastest of several verifications (the cost a sign-in pays), for PBKDF2
(Django's default), Argon2id at Django's parameters, and the project's Argon2id (users/hashers.py).
"""

import statistics
import sys
import time
from pathlib import Path

import django
from django.conf import settings

PASSWORD = "Correct-Horse-42"  # noqa: S105 (a throwaway, hashed and checked here only)


def verify_ms(hasher, rounds: int) -> tuple[float, float]:
    encoded = hasher.encode(PASSWORD, hasher.salt())
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        hasher.verify(PASSWORD, encoded)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    settings.configure()
    django.setup()
    from django.contrib.auth import hashers

    from users.hashers import Argon2PasswordHasher

    project = Argon2PasswordHasher()
    django_argon2 = hashers.Argon2PasswordHasher()
    rows = [
        (f"PBKDF2-SHA256, {hashers.PBKDF2PasswordHasher.iterations:,} iterations", 5),
        (
            f"Argon2id, Django's t={django_argon2.time_cost} m={django_argon2.memory_cost} KiB "
            f"p={django_argon2.parallelism}",
            10,
        ),
        (
            f"Argon2id, project's t={project.time_cost} m={project.memory_cost} KiB "
            f"p={project.parallelism}",
            20,
        ),
    ]
    for (label, rounds), hasher in zip(
        rows, [hashers.PBKDF2PasswordHasher(), django_argon2, project], strict=True
    ):
        median, fastest = verify_ms(hasher, rounds)
        print(f"{label}: median {median:.0f} ms, fastest {fastest:.0f} ms")


if __name__ == "__main__":
    main()

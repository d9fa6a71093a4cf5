"""The password hasher: Django's Argon2id at OWASP's minimum parameters."""

from django.contrib.auth import hashers


class Argon2PasswordHasher(hashers.Argon2PasswordHasher):
    """Argon2id with t=2 passes, m=19 MiB, p=1 lane (OWASP Password Storage Cheat Sheet).

    Why not Django's own parameters (t=2, m=100 MiB, p=8): on the two-core hosts we run, one
    hash took about as long as PBKDF2's (bench/hashing.md), so sign-in stayed at a few requests
    a second, and a burst of sign-ins could ask for 100 MiB each. The algorithm name stays
    `argon2`: hashes made with other parameters still verify, and are re-hashed at sign-in.
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

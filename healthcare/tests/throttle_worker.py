"""Run as a separate process: failed logins against its own database, sharing only the cache.

Usage: python -m healthcare.tests.throttle_worker <mobile_number> <attempts>
Prints the status codes as JSON. The throttle state it leaves behind lives in Redis only.
"""

import json
import sys

import django


def main(number: str, attempts: int) -> None:
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    setup_test_environment()
    call_command("migrate", verbosity=0, interactive=False)
    client = APIClient()
    statuses = [
        client.post(
            "/api/token/", {"mobile_number": number, "password": "Wrong-Password-1"}
        ).status_code
        for _ in range(attempts)
    ]
    print(json.dumps(statuses))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

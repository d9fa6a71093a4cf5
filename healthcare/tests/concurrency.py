"""Real concurrent clients for the PostgreSQL race tests: each call in its own thread and
database connection, all released together."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

# A race test module's marks: PostgreSQL only (SQLite serialises all writers and ignores row
# locks), committed transactions that other connections can see.
RACE_MARKS = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers and ignores row locks; the race needs PostgreSQL",
    ),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def client_for(user) -> APIClient:
    """An API client authenticated as `user` with a fresh access token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def race(*calls):
    """Run each zero-argument call in its own thread, released together; return the results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results

"""POST /api/token/refresh/ under a race: one refresh token sent by many clients at once."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from healthcare.tests.concurrency import race
from users.tests.factories import PASSWORD, PatientFactory

URL = "/api/token/refresh/"
CLIENTS = 10

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers, so there is no race to lose; run on PostgreSQL")


def send_at_once(token: str) -> list:
    """POST the same token from CLIENTS threads released together; their status codes."""
    barrier = threading.Barrier(CLIENTS)
    results: list = []
    lock = threading.Lock()

    def worker():
        client = APIClient()
        client.raise_request_exception = False
        try:
            barrier.wait(timeout=30)
            status = client.post(URL, {"refresh": token}).status_code
        except Exception as exc:  # recorded, so the assertion names it instead of hanging
            status = repr(exc)
        finally:
            connection.close()
        with lock:
            results.append(status)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_same_refresh_token_from_ten_clients_at_once_yields_exactly_one_pair(postgres_only):
    token = str(RefreshToken.for_user(PatientFactory()))
    results = send_at_once(token)
    assert sorted(results, key=str) == [200] + [401] * (CLIENTS - 1)


def test_racing_refreshes_store_one_revocation_and_one_new_token(postgres_only):
    user = PatientFactory()
    token = RefreshToken.for_user(user)
    send_at_once(str(token))
    assert BlacklistedToken.objects.filter(token__jti=token["jti"]).count() == 1
    assert OutstandingToken.objects.filter(user=user).count() == 2


def test_a_reuse_racing_a_rotation_leaves_no_live_token_in_the_family(postgres_only):
    user = PatientFactory()
    client = APIClient()
    stolen = client.post(
        "/api/token/", {"mobile_number": user.mobile_number, "password": PASSWORD}
    ).json()["refresh"]
    current = client.post(URL, {"refresh": stolen}).json()["refresh"]
    # Rotated a minute ago: past the grace window.
    BlacklistedToken.objects.filter(token__jti=RefreshToken(stolen, verify=False)["jti"]).update(
        blacklisted_at=timezone.now() - dt.timedelta(seconds=60)
    )
    # Race: the thief replays the old token while the victim rotates the current one. The
    # user's row lock orders them; either way the family ends with no live token.
    reuse, rotation = race(
        lambda: APIClient().post(URL, {"refresh": stolen}),
        lambda: APIClient().post(URL, {"refresh": current}),
    )
    assert reuse.status_code == 401
    if rotation.status_code == 200:
        newest = rotation.json()["refresh"]
        assert APIClient().post(URL, {"refresh": newest}).status_code == 401
    else:
        assert rotation.status_code == 401

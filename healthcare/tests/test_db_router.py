"""The replica router's decisions (healthcare/db/router.py), with real settings, cache and ORM.

No replica runs here: each test states the router's verdict on the replica (as its lag check
would leave it) and asks which database a read or write would use. Querysets report their
database without running. The cluster drill (ops/cluster, marker `cluster`) reads from a real
streaming replica.
"""

import datetime as dt
import time

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import RequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from appointments.models import AppointmentBooking
from healthcare.db import router
from users.models import User

ROUTER = "healthcare.db.router.ReplicaRouter"


@pytest.fixture
def with_replica(settings):
    """The router as DATABASE_REPLICA_URL installs it; the replica judged usable."""
    settings.DATABASE_ROUTERS = [ROUTER]
    router.replica_health.remember(True)
    yield
    router.replica_health.forget()


def _token(user_id: int, *, issued_ago: float = 60.0) -> str:
    token = AccessToken.for_user(User(id=user_id, is_active=True))
    token.set_iat(at_time=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=issued_ago))
    return str(token)


def _serve(request, view=None):
    """Run one request through the middleware; returns what `view` saw (default: the read DB)."""
    seen = {}

    def get_response(req):
        seen["value"] = (view or (lambda: AppointmentBooking.objects.all().db))()
        return None

    router.ReadYourWritesMiddleware(get_response)(request)
    return seen["value"]


def _get(token=None, ip="203.0.113.5"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return RequestFactory().get("/api/doctors/", REMOTE_ADDR=ip, **headers)


def _post(token=None, ip="203.0.113.5"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return RequestFactory().post("/api/appointments/book/", REMOTE_ADDR=ip, **headers)


def test_without_a_replica_url_neither_router_nor_middleware_is_installed():
    assert django_settings.DATABASE_ROUTERS == []
    assert "healthcare.db.router.ReadYourWritesMiddleware" not in django_settings.MIDDLEWARE


def test_reads_outside_a_request_use_the_primary(with_replica):
    assert AppointmentBooking.objects.all().db == "default"


def test_reads_of_a_safe_request_use_the_replica(with_replica):
    assert _serve(_get(_token(7))) == "replica"


def test_hand_written_reads_of_a_safe_request_use_the_replica(with_replica):
    assert _serve(_get(), view=router.read_alias) == "replica"


def test_reads_of_an_unsafe_request_use_the_primary(with_replica):
    assert _serve(_post(_token(7))) == "default"


def test_writes_of_a_safe_request_use_the_primary(with_replica):
    def write_db():
        return router.ReplicaRouter().db_for_write(AppointmentBooking)

    assert _serve(_get(), view=write_db) == "default"


def test_select_for_update_of_a_safe_request_uses_the_primary(with_replica):
    assert _serve(_get(), view=lambda: AppointmentBooking.objects.select_for_update().db) == (
        "default"
    )


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_use_the_primary(with_replica):
    def read_in_transaction():
        with transaction.atomic():
            return AppointmentBooking.objects.all().db

    assert _serve(_get(), view=read_in_transaction) == "default"


def test_reads_use_the_primary_while_the_replica_is_judged_unusable(with_replica):
    router.replica_health.remember(False)

    assert _serve(_get()) == "default"


def test_a_verdict_is_reused_for_a_second():
    router.replica_health.remember(True)

    assert router.replica_health.usable() is True


def test_an_older_verdict_is_checked_again():
    # No replica is configured here, so asking again finds none: unusable.
    router.replica_health.remember(True, at=time.monotonic() - 2 * router.VERDICT_SECONDS)

    assert router.replica_health.usable() is False


def test_a_clients_write_pins_its_next_read_to_the_primary_on_any_node(with_replica):
    token = _token(7)
    _serve(_post(token))

    assert _serve(_get(token)) == "default"


def test_another_clients_write_does_not_pin_my_reads(with_replica):
    _serve(_post(_token(8)))

    assert _serve(_get(_token(7))) == "replica"


def test_a_client_without_a_token_is_pinned_by_its_ip(with_replica):
    _serve(_post(ip="198.51.100.9"))

    assert _serve(_get(ip="198.51.100.9")) == "default"


def test_a_write_from_another_ip_does_not_pin_an_anonymous_client(with_replica):
    _serve(_post(ip="198.51.100.9"))

    assert _serve(_get(ip="198.51.100.10")) == "replica"


def test_a_token_issued_moments_ago_pins_reads_to_the_primary(with_replica):
    # Signing in is a write, and a user who has just registered may not be on the replica yet.
    assert _serve(_get(_token(7, issued_ago=1))) == "default"


def test_a_forged_token_is_treated_as_no_token(with_replica):
    _serve(_post(_token(7)))
    forged = _token(7)[:-4] + "AAAA"

    assert _serve(_get(forged, ip="198.51.100.11")) == "replica"


def test_reads_use_the_primary_when_the_marker_store_is_down(with_replica, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "healthcare.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    assert _serve(_get(_token(7))) == "default"


def test_a_write_still_answers_when_the_marker_store_is_down(with_replica, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "healthcare.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    assert _serve(_post(_token(7))) == "default"


def test_the_replica_is_never_migrated():
    assert router.ReplicaRouter().allow_migrate("replica", "appointments") is False
    assert router.ReplicaRouter().allow_migrate("default", "appointments") is True


def test_the_pin_outlasts_the_largest_accepted_lag_and_the_verdicts_age(settings):
    settings.REPLICA_MAX_LAG_SECONDS = 5

    assert router.pin_seconds() > 5 + router.VERDICT_SECONDS


# One row of the lag check: (in recovery, WAL receiver status, all received WAL replayed,
# seconds since the last replayed commit).
@pytest.mark.parametrize(
    ("row", "usable"),
    [
        ((True, "streaming", True, 3600.0), True),
        ((True, "streaming", False, 2.0), True),
        ((True, "streaming", False, 9.0), False),
        ((True, "streaming", False, None), False),
        ((True, "waiting", True, 0.0), False),
        ((True, None, True, 0.0), False),
        ((False, None, True, None), False),
    ],
    ids=[
        "caught-up-however-old-the-last-commit",
        "behind-within-the-limit",
        "behind-beyond-the-limit",
        "behind-with-nothing-replayed-yet",
        "receiver-not-streaming",
        "receiver-status-unreadable",
        "promoted-no-longer-a-standby",
    ],
)
def test_the_lag_verdict_on_a_replica(row, usable):
    assert router.replica_is_usable(row, max_lag=5.0) is usable

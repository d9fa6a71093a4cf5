"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from doctors.tests.factories import DoctorFactory
from users.tests.factories import AdminFactory, PatientFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; tests render admin pages without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Production's Argon2id (users/hashers.py) costs tens of milliseconds per hash; tests create
    # hundreds of users. users/tests/test_password_hashing.py tests the production hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _notifications_in_process(settings):
    # No broker in tests unless a test starts one (notifications/tests/test_worker.py): delivery
    # runs in-process after commit, and SMS go to `notifications.sms.outbox`.
    from notifications import sms

    settings.CELERY_BROKER_URL = ""
    settings.SMS_URL = "locmem:"
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _report_summaries_inside_the_test_transaction(request):
    # PostgreSQL keeps the reports' summaries with a trigger deferred to commit, and a test's
    # transaction never commits: such a test has them applied as it goes (appointments.stats).
    # Transactional tests commit, so they see the deferred trigger as production does.
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if transactional or not (marker or "db" in request.fixturenames):
        return
    request.getfixturevalue("db")
    from appointments import stats

    stats.apply_now()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def patient(db):
    return PatientFactory()


@pytest.fixture
def doctor(db):
    return DoctorFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def auth_client():
    """`auth_client(user)` → an APIClient sending that user's access token."""

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
        return client

    return make

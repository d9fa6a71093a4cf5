"""A real Celery worker (a subprocess) on Redis delivers what the API wrote to the outbox.

Needs `REDIS_URL` (CI sets it) and PostgreSQL, which the worker process shares with the test
(SQLite's test database lives in this process's memory). The broker is Redis db 6 unless
`CELERY_TEST_BROKER_URL` says otherwise, with a queue of the test's own.
"""

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory
from notifications.models import Notification
from notifications.tests.sinks import http_server, smtp_server
from users.tests.factories import PatientFactory

PROJECT = Path(__file__).resolve().parents[2]
BOOK = "/api/appointments/book/"

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis: REDIS_URL unset"),
]


def _broker_url() -> str:
    explicit = os.environ.get("CELERY_TEST_BROKER_URL")
    if explicit:
        return explicit
    # Not the cache's db: the tests' cache.clear() flushes that one.
    parts = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((parts.scheme, parts.netloc, "/6", "", ""))


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db.get("PASSWORD") else user
    return (
        f"postgresql://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _reset_pool(app):
    # The producer pool connects to the broker it first saw; a new one follows the new URL
    # (kombu keeps its pools per URL, open, for the next test).
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def queue(settings):
    """The test's own queue on the test broker, in this process and for its workers."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker process shares the test database: needs PostgreSQL")
    from healthcare.celery import app

    name = f"test-{uuid.uuid4().hex[:12]}"
    broker = _broker_url()
    settings.CELERY_BROKER_URL = broker
    saved = (app.conf.broker_url, app.conf.task_default_queue)
    app.conf.broker_url = broker
    app.conf.task_default_queue = name
    _reset_pool(app)
    yield {"name": name, "broker": broker}
    app.conf.broker_url, app.conf.task_default_queue = saved
    _reset_pool(app)
    import redis

    redis.Redis.from_url(broker).delete(name, _flag(name))


def _flag(queue_name):
    return f"healthcare:drain-queued:{queue_name}"


def queued_tasks(queue):
    """The names of the tasks waiting on the test's queue (kombu keeps a Redis list per queue)."""
    import json

    import redis

    raw = redis.Redis.from_url(queue["broker"]).lrange(queue["name"], 0, -1)
    return [json.loads(message)["headers"]["task"] for message in raw]


@pytest.fixture
def sinks(settings):
    with smtp_server() as smtp, http_server() as gateway:
        yield {"smtp": smtp, "sms": gateway}


@contextmanager
def worker(queue, sinks, tmp_path, name="w1"):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "healthcare.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "worker-test-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": queue["broker"],
        "CELERY_QUEUE": queue["name"],
        "EMAIL_URL": f"smtp://127.0.0.1:{sinks['smtp'].port}",
        "SMS_URL": sinks["sms"].url,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    log = tmp_path / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own worker, fixed arguments)
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "healthcare",
                "worker",
                "-n",
                f"{name}-{queue['name']}@%h",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "info",
            ],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def event_rows():
    return Notification.objects.exclude(event="reminder")


def book(auth_client, patient, schedule):
    response = auth_client(patient).post(
        BOOK, {"doctor": schedule.doctor_id, "schedule": schedule.pk, "appointment_time": "09:00"}
    )
    assert response.status_code == 201


def far_schedule():
    return ScheduleFactory(date=timezone.localdate() + dt.timedelta(days=3))


@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_a_bookings_email_and_sms(auth_client, patient, queue, sinks, tmp_path):
    with worker(queue, sinks, tmp_path):
        book(auth_client, patient, far_schedule())
        assert wait_until(lambda: not event_rows().filter(status="pending").exists())
    assert set(event_rows().values_list("status", flat=True)) == {"sent"}
    assert [m["X-Rcpt-To"] for m in sinks["smtp"].messages].count(patient.email) == 1
    assert [r["json"]["to"] for r in sinks["sms"].requests].count(patient.mobile_number) == 1


@pytest.mark.django_db(transaction=True)
def test_notifications_wait_while_no_worker_runs_and_go_out_when_one_starts(
    auth_client, patient, queue, sinks, tmp_path
):
    book(auth_client, patient, far_schedule())
    time.sleep(1)
    assert set(event_rows().values_list("status", flat=True)) == {"pending"}
    with worker(queue, sinks, tmp_path):
        assert wait_until(lambda: not event_rows().filter(status="pending").exists())
    assert set(event_rows().values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_due_reminders_are_sent_once_with_two_workers(queue, sinks, tmp_path):
    from notifications.services import notifications_record
    from notifications.tasks import sweep

    for _ in range(10):
        appointment = AppointmentFactory(schedule=far_schedule())
        notifications_record(event="booked", appointment_id=appointment.pk, actor_id=None)
    Notification.objects.exclude(event="reminder").delete()
    reminders = Notification.objects.filter(event="reminder")
    reminders.update(due_at=timezone.now() - dt.timedelta(seconds=1))
    with worker(queue, sinks, tmp_path, "w1"), worker(queue, sinks, tmp_path, "w2"):
        for _ in range(3):
            sweep.delay()
        assert wait_until(lambda: not reminders.filter(status="pending").exists())
    assert set(reminders.values_list("attempts", flat=True)) == {1}
    sms_rows = reminders.filter(channel="sms").count()
    assert len(sinks["sms"].requests) == sms_rows
    assert len(sinks["smtp"].messages) == reminders.filter(channel="email").count()


@pytest.mark.django_db(transaction=True)
def test_commits_while_a_drain_is_queued_queue_no_other(auth_client, queue):
    for _ in range(3):
        book(auth_client, PatientFactory(), far_schedule())

    assert queued_tasks(queue) == ["notifications.tasks.drain"]
    assert Notification.objects.filter(status="pending").exists()


@pytest.mark.django_db(transaction=True)
def test_a_started_drain_lets_the_next_commit_queue_another(auth_client, queue):
    from notifications.queue import drain_started

    book(auth_client, PatientFactory(), far_schedule())
    drain_started()
    book(auth_client, PatientFactory(), far_schedule())
    book(auth_client, PatientFactory(), far_schedule())

    assert queued_tasks(queue) == ["notifications.tasks.drain"] * 2


@pytest.mark.django_db(transaction=True)
def test_a_booking_while_the_broker_is_down_succeeds_and_its_rows_wait(
    auth_client, patient, settings, caplog
):
    from healthcare.celery import app

    dead = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_URL = dead
    saved = app.conf.broker_url
    app.conf.broker_url = dead
    _reset_pool(app)
    try:
        book(auth_client, patient, far_schedule())
    finally:
        app.conf.broker_url = saved
        _reset_pool(app)

    assert set(event_rows().values_list("status", flat=True)) == {"pending"}
    assert "wait for the sweep" in caplog.text
    assert patient.mobile_number not in caplog.text

"""The offered-slot rules' read (doctors/availability.py): written-out SQL that still follows the
read-replica router and reads what the ORM would."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from doctors import availability
from doctors.models import ClinicClosure, TimeOff, WorkingHours
from doctors.tests.factories import DoctorFactory

pytestmark = pytest.mark.django_db


def test_the_rules_are_read_where_the_router_sends_reads(monkeypatch):
    # The router sends a safe request's reads outside a transaction to the replica; a query on
    # `connection` itself would always hit the primary (the cluster drill's replica share).
    asked = []

    def read_connection():
        asked.append(True)
        return connection

    monkeypatch.setattr(availability, "read_connection", read_connection)
    doctor = DoctorFactory()
    today = timezone.localdate()
    availability.day_rules(doctor_id=doctor.pk, date_from=today, date_to=today, with_hours=True)
    assert asked


def test_the_rules_come_back_as_dates_times_and_weekdays():
    doctor = DoctorFactory()
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    TimeOff.objects.create(
        doctor=doctor,
        date_from=monday,
        date_to=monday,
        start_time=dt.time(10, 0),
        end_time=dt.time(11, 0),
    )
    ClinicClosure.objects.create(date=monday + dt.timedelta(days=1), reason="Holiday")
    WorkingHours.objects.create(
        doctor=doctor, weekday=2, start_time=dt.time(9, 0), end_time=dt.time(12, 0)
    )
    rules = availability.day_rules(
        doctor_id=doctor.pk,
        date_from=monday,
        date_to=monday + dt.timedelta(days=2),
        with_hours=True,
    )
    assert rules[monday].blocked == [(600, 660)]
    assert rules[monday + dt.timedelta(days=1)].blocked == [(0, availability.DAY_MINUTES)]
    assert rules[monday + dt.timedelta(days=2)].hours == [(540, 720)]
    assert rules[monday].hours == []

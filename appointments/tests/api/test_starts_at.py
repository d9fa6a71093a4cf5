"""Every appointment carries `starts_at`/`ends_at`: instants with the clinic's UTC offset."""

import datetime as dt

import pytest

from appointments.tests.clock import freeze_at
from appointments.tests.factories import AppointmentFactory
from doctors.tests.factories import ScheduleFactory

pytestmark = pytest.mark.django_db


def read(auth_client, appointment):
    return auth_client(appointment.patient).get(f"/api/appointments/{appointment.pk}/").json()


def test_an_appointment_states_its_start_and_end_with_the_dhaka_offset(auth_client):
    appointment = AppointmentFactory(appointment_time=dt.time(9, 30))
    day = appointment.appointment_date.isoformat()
    body = read(auth_client, appointment)
    assert (body["starts_at"], body["ends_at"]) == (
        f"{day}T09:30:00+06:00",
        f"{day}T10:00:00+06:00",
    )


@pytest.mark.parametrize(
    ("day", "offset"),
    [(dt.date(2027, 3, 27), "+00:00"), (dt.date(2027, 3, 29), "+01:00")],
)
def test_an_appointment_takes_the_offset_of_its_own_day_across_a_dst_change(
    auth_client, settings, monkeypatch, day, offset
):
    settings.TIME_ZONE = "Europe/London"
    freeze_at(monkeypatch, dt.date(2027, 3, 24), 8)
    schedule = ScheduleFactory(date=day)
    appointment = AppointmentFactory(schedule=schedule, appointment_time=dt.time(9, 0))
    body = read(auth_client, appointment)
    assert body["starts_at"] == f"{day.isoformat()}T09:00:00{offset}"


def test_the_patients_list_states_each_start(auth_client):
    appointment = AppointmentFactory(appointment_time=dt.time(11, 0))
    (row,) = auth_client(appointment.patient).get("/api/profile/appointments/").json()["results"]
    assert row["starts_at"] == f"{appointment.appointment_date.isoformat()}T11:00:00+06:00"

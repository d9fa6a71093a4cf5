"""The hand-written AppointmentOutputSerializer renders exactly what DRF's generic one would."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework import serializers

from appointments.models import AppointmentStatus
from appointments.serializers import AppointmentOutputSerializer
from appointments.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


def _generic(instance):
    serializer = AppointmentOutputSerializer()
    return serializers.ModelSerializer.to_representation(serializer, instance)


@pytest.mark.parametrize("zone", ["Asia/Dhaka", "UTC", "America/St_Johns"])
def test_hand_written_appointment_output_matches_drf(zone):
    bookings = [
        AppointmentFactory(),
        AppointmentFactory(fee=Decimal("0"), notes="", status=AppointmentStatus.CANCELLED),
        AppointmentFactory(
            fee=Decimal("1234.5"), notes="Ünïcode — notes", appointment_time=dt.time(9, 30)
        ),
    ]
    orphan = AppointmentFactory(status=AppointmentStatus.COMPLETED)
    orphan.schedule.delete()
    orphan.refresh_from_db()
    bookings.append(orphan)
    with timezone.override(zone):
        for booking in bookings:
            booking.refresh_from_db()
            assert AppointmentOutputSerializer(booking).data == _generic(booking)


def test_a_list_row_renders_like_the_appointment_it_comes_from():
    from appointments.selectors import appointment_list, appointment_rows

    booking = AppointmentFactory(notes="Fasting", fee=Decimal("1234.5"))
    booking.refresh_from_db()
    (row,) = appointment_rows(appointment_list(user=booking.patient))
    assert AppointmentOutputSerializer(row).data == AppointmentOutputSerializer(booking).data

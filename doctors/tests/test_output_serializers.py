"""The hand-written public doctor and slot serializers render exactly what DRF's generic ones
would."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework import serializers

from doctors.tests.factories import DoctorFactory
from doctors.views import DoctorPublicOutputSerializer, SlotOutputSerializer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fee", [Decimal("0"), Decimal("500"), Decimal("1234.5"), Decimal("9.99")])
def test_hand_written_doctor_output_matches_drf(fee):
    doctor = DoctorFactory(
        doctor_detail__consultation_fee=fee, doctor_detail__bio="", full_name="Dr Ünïcode"
    )
    doctor.refresh_from_db()
    serializer = DoctorPublicOutputSerializer()
    generic = serializers.ModelSerializer.to_representation(serializer, doctor)
    assert DoctorPublicOutputSerializer(doctor).data == generic


@pytest.mark.parametrize("available", [True, False])
def test_hand_written_slot_output_matches_drf(available):
    slot = {
        "schedule": 7,
        "date": dt.date(2026, 3, 1),
        "time": dt.time(9, 30),
        "available": available,
    }
    generic = serializers.Serializer.to_representation(SlotOutputSerializer(), slot)
    assert SlotOutputSerializer(slot).data == generic


def test_a_directory_row_renders_like_the_doctor_it_comes_from():
    from doctors.selectors import doctor_directory

    doctor = DoctorFactory(doctor_detail__consultation_fee=Decimal("1234.5"))
    doctor.refresh_from_db()
    (row,) = doctor_directory().page_with_total(0, 20)
    assert DoctorPublicOutputSerializer(row).data == DoctorPublicOutputSerializer(doctor).data


def test_a_page_of_slots_renders_each_row_as_drf_would(settings):
    # The list looks the zone up once for all its rows (SlotListSerializer): each row must
    # still come out as the generic serializer writes it alone, in the zone of the moment.
    settings.TIME_ZONE = "Europe/London"
    slots = [
        {
            "schedule": 7,
            "date": dt.date(2027, 3, 28),
            "time": dt.time(h, m),
            "available": h % 2 == 1,
        }
        for h in (0, 1, 2, 3)
        for m in (0, 30)
    ]
    generic = [serializers.Serializer.to_representation(SlotOutputSerializer(), s) for s in slots]
    assert SlotOutputSerializer(slots, many=True).data == generic

"""The report's hand-written row serializers render exactly what DRF's generic ones would."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from admin_panel.selectors import report_patient_appointments
from admin_panel.serializers import ReportAppointmentSerializer, ReportDoctorRowSerializer
from appointments.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("revenue", [Decimal("0"), Decimal("0.00"), Decimal("123456789.5")])
def test_hand_written_doctor_row_matches_drf(revenue):
    row = {
        "doctor_id": 3,
        "doctor_name": "Dr Ünïcode",
        "total_appointments": 4,
        "completed_appointments": 2,
        "no_show_appointments": 1,
        "declined_appointments": 0,
        "revenue": revenue,
    }
    generic = serializers.Serializer.to_representation(ReportDoctorRowSerializer(), row)
    assert ReportDoctorRowSerializer(row).data == generic


@pytest.mark.parametrize("status", ["pending", "cancelled", "completed"])
def test_hand_written_report_appointment_matches_drf(status):
    booking = AppointmentFactory(status=status, fee=Decimal("9.99"))
    (row,) = report_patient_appointments(
        patient_ids=[booking.patient_id], date_from=None, date_to=None
    )
    generic = serializers.Serializer.to_representation(ReportAppointmentSerializer(), row)
    assert ReportAppointmentSerializer(row).data == generic
    assert row["doctor_name"] == booking.doctor.full_name


@pytest.mark.parametrize("zone", ["Asia/Dhaka", "UTC"])
def test_admin_appointment_output_matches_drf_with_updated_at(zone):
    from django.utils import timezone

    from admin_panel.serializers import AppointmentAdminOutputSerializer

    booking = AppointmentFactory(status="completed")
    booking.refresh_from_db()
    with timezone.override(zone):
        generic = serializers.ModelSerializer.to_representation(
            AppointmentAdminOutputSerializer(), booking
        )
        data = AppointmentAdminOutputSerializer(booking).data
    assert data == generic
    assert list(data) == AppointmentAdminOutputSerializer.Meta.fields

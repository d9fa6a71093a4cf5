"""The report's hand-written row serializers render exactly what DRF's generic ones would."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from admin_panel.selectors import report_patient_appointments
from admin_panel.serializers import ReportAppointmentSerializer, ReportDoctorRowSerializer
from appointments.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cents", [0, 5, 100, 12345678950, -7])
def test_hand_written_doctor_row_matches_drf(cents):
    row = (3, "Dr Ünïcode", 4, 2, 1, 0, cents)
    money = serializers.DecimalField(max_digits=14, decimal_places=2)
    expected = {
        "doctor_id": 3,
        "doctor_name": "Dr Ünïcode",
        "total_appointments": 4,
        "completed_appointments": 2,
        "no_show_appointments": 1,
        "declined_appointments": 0,
        "revenue": money.to_representation(Decimal(cents).scaleb(-2)),
    }
    assert ReportDoctorRowSerializer(row).data == expected
    assert ReportDoctorRowSerializer([row, row], many=True).data == [expected, expected]


def test_the_doctor_row_fields_are_the_selectors_columns_in_order():
    from admin_panel.selectors import PER_DOCTOR_COLUMNS

    fields = ReportDoctorRowSerializer._row_names
    assert fields[:-1] == PER_DOCTOR_COLUMNS[:-1]
    assert (fields[-1], PER_DOCTOR_COLUMNS[-1]) == ("revenue", "revenue_cents")


def test_a_row_of_the_wrong_length_is_refused():
    rows = ReportDoctorRowSerializer([(1, "Dr A", 1)], many=True)
    with pytest.raises(ValueError, match="a row of 3 values for 7 fields"):
        rows.data  # noqa: B018 (the property renders)


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

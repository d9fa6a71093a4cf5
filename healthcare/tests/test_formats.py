"""The output formats of the hand-written serializers match DRF's own."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from healthcare.api.formats import FlatRowSerializer, money


@pytest.mark.parametrize(
    "value",
    ["0", "0.00", "5", "500.00", "9.99", "1234.5", "0.005", "1E+2", "123456789012.34", "-3.10"],
)
def test_money_matches_drfs_two_place_decimal_field(value):
    field = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    assert money(Decimal(value)) == field.to_representation(Decimal(value))


def test_a_flat_row_serializer_with_a_field_it_cannot_write_fails_at_definition():
    with pytest.raises(TypeError, match="Row.created_at"):

        class Row(FlatRowSerializer):
            id = serializers.IntegerField()
            created_at = serializers.DateTimeField()


def test_a_flat_row_serializer_refuses_money_with_other_than_two_places():
    with pytest.raises(TypeError, match="Row.rate"):

        class Row(FlatRowSerializer):
            rate = serializers.DecimalField(max_digits=8, decimal_places=4)


class _Row(FlatRowSerializer):
    id = serializers.IntegerField()
    fee = serializers.DecimalField(max_digits=14, decimal_places=2)


@pytest.mark.parametrize(
    "row",
    [
        {"id": 1, "fee": Decimal("5")},
        {"fee": Decimal("5"), "id": 1},
        {"id": 1, "patient_id": 2, "fee": Decimal("5")},
    ],
    ids=["exactly-the-fields", "another-order", "more-columns"],
)
def test_a_flat_row_renders_its_declared_fields_in_their_order(row):
    assert list(_Row(row).data.items()) == [("id", 1), ("fee", "5.00")]


def test_a_flat_row_serializer_leaves_the_row_it_renders_unchanged():
    row = {"id": 1, "fee": Decimal("5")}
    data = _Row(row).data
    assert row == {"id": 1, "fee": Decimal("5")}
    assert data is not row

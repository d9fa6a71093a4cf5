"""The output formats of the hand-written serializers match DRF's own."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from healthcare.api.formats import money


@pytest.mark.parametrize(
    "value",
    ["0", "0.00", "5", "500.00", "9.99", "1234.5", "0.005", "1E+2", "123456789012.34", "-3.10"],
)
def test_money_matches_drfs_two_place_decimal_field(value):
    field = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    assert money(Decimal(value)) == field.to_representation(Decimal(value))

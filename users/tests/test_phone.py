import pytest
from django.core.exceptions import ValidationError

from users.phone import mask_mobile_number, normalize_mobile_number


def test_local_form_is_normalised_to_e164():
    assert normalize_mobile_number("01712345678") == "+8801712345678"


def test_e164_form_is_kept():
    assert normalize_mobile_number("+8801712345678") == "+8801712345678"


def test_spaces_and_dashes_are_accepted():
    assert normalize_mobile_number(" 01712-345 678 ") == "+8801712345678"


def test_phone_region_setting_decides_the_local_form(settings):
    settings.PHONE_REGION = "GB"
    assert normalize_mobile_number("07400 123456") == "+447400123456"


@pytest.mark.parametrize("raw", ["", "   ", "12ab", "0171234", "+99912345678", None, 1712345678])
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_mobile_number(raw)


def test_over_long_input_is_refused_before_parsing():
    with pytest.raises(ValidationError):
        normalize_mobile_number("0" * 33)


def test_mask_keeps_only_the_last_three_digits():
    assert mask_mobile_number("+8801712345678") == "***********678"


def test_mask_of_nothing_is_empty():
    assert mask_mobile_number("") == ""

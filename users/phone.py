"""Mobile numbers: validated with `phonenumbers` and normalised to E.164.

`PHONE_REGION` (default BD) lets people type the local form: `01712345678` and
`+8801712345678` name the same account everywhere.
"""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError

# Longer input is no phone number; refusing it early keeps the parser's work bounded.
MAX_RAW_LENGTH = 32

INVALID_MESSAGE = "Enter a valid mobile number, e.g. 01712345678 or +8801712345678."


def normalize_mobile_number(raw) -> str:
    """Return the E.164 form of `raw`, or raise ValidationError."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_RAW_LENGTH:
        raise ValidationError(INVALID_MESSAGE, code="invalid_mobile_number")
    try:
        number = phonenumbers.parse(raw.strip(), settings.PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_MESSAGE, code="invalid_mobile_number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_MESSAGE, code="invalid_mobile_number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_mobile_number(number: str | None) -> str:
    """All but the last three digits as `*`, for logs and the audit trail."""
    if not number:
        return ""
    digits = str(number)
    return "*" * max(len(digits) - 3, 0) + digits[-3:]

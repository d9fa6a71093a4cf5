"""The refusals services raise, with the contract's stable codes, and nothing of DRF.

A `Refusal` carries its body in the contract's v1 shape (`{field: [message]}`, nested as the
request is); each message is a `Message`, a string that knows its code. The API's exception
handler renders it (adding `code` and `errors[]`); the Django admin shows its messages as form
errors. Codes are binding (contract v1.1 "Errors carry stable codes"); messages are free text.
"""

NON_FIELD = "non_field_errors"


class Message(str):
    """An error message with its stable snake_case code (read by DRF's error details too)."""

    code: str

    def __new__(cls, text: str, code: str = "invalid"):
        message = super().__new__(cls, text)
        message.code = code
        return message


class Refusal(Exception):
    """A request refused by a rule: 400 with `detail` as the body (and any `extra` keys)."""

    def __init__(self, detail: dict, *, extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}

    @classmethod
    def of(cls, field: str | None, code: str, message: str, **extra) -> "Refusal":
        """One message under `field` (None: about no one field)."""
        return cls({field or NON_FIELD: [Message(message, code)]}, extra=extra)

    @classmethod
    def from_django(cls, field: str, exc) -> "Refusal":
        """Django's ValidationError (e.g. the password validators') under `field`, codes kept."""
        return cls(
            {field: [Message(str(m), e.code or "invalid") for e in exc.error_list for m in e]}
        )

    @property
    def code(self) -> str:
        """The first message's code, as the error body's `code`."""
        return next(_codes(self.detail), "invalid")

    def messages(self, prefix: str = "") -> list[str]:
        """Every message, flattened and labelled by field (for admin forms and messages)."""
        return list(_flatten(self.detail, prefix))


def _codes(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _codes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codes(item)
    else:
        yield getattr(value, "code", "invalid")


def _flatten(value, prefix: str):
    if isinstance(value, dict):
        for key, item in value.items():
            label = "" if key == NON_FIELD else f"{key}: "
            yield from _flatten(item, f"{prefix}{label}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            nested = f"{prefix}row {index + 1}: " if isinstance(item, dict) else prefix
            yield from _flatten(item, nested)
    else:
        yield f"{prefix}{value}"


class NotSignedIn(Exception):
    """Credentials or a token that sign nobody in: 401 with a stable code (no field)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

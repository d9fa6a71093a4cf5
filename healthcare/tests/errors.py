"""The contract's error body (v1.1: `code` and `errors[]` beside the v1 keys), for assertions."""


def detail_error(message: str, code: str) -> dict:
    """`{"detail": message}` with its code, as every non-field error is answered."""
    return {
        "detail": message,
        "code": code,
        "errors": [{"field": None, "code": code, "message": message}],
    }


def codes(body: dict) -> list[tuple[str | None, str]]:
    """(field, code) of every error in a body."""
    return [(item["field"], item["code"]) for item in body["errors"]]

"""OpenAPI tweaks that hold for every endpoint: time fields, the error responses, the bearer token.

Times: OpenAPI's `format: time` means RFC 3339 `HH:MM:SS` plus an offset, which the API neither
sends nor needs; clients generated from it would reject `"09:30"`. Every TimeField is described
as the string it is, with a pattern. Imported by healthcare.api.views so it registers at startup.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiSerializerFieldExtension

TIME_OUTPUT_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
TIME_INPUT_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


class TimeFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {
                "type": "string",
                "pattern": TIME_INPUT_PATTERN,
                "example": "09:30",
                "description": "Local wall-clock time, `HH:MM` (or `HH:MM:SS`).",
            }
        return {
            "type": "string",
            "pattern": TIME_OUTPUT_PATTERN,
            "example": "09:30",
            "description": "Local wall-clock time, `HH:MM`.",
        }


class EmailFieldExtension(OpenApiSerializerFieldExtension):
    """Emails are optional and stored as `""` when absent.

    drf-spectacular already allows `""` for writable fields with `allow_blank`; DRF drops that
    flag from read-only model fields, whose `format: email` would then call a blank one invalid.
    """

    target_class = "rest_framework.fields.EmailField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "format": "email"}
        if direction == "response" and self.target.read_only:
            return {"oneOf": [schema, {"type": "string", "maxLength": 0}]}
        return schema


ERROR_ITEM = {
    "type": "object",
    "properties": {
        "field": {
            "type": "string",
            "nullable": True,
            "description": "The field's path in the request body (`schedules.2.end_time`); "
            "null for an error about no one field.",
        },
        "code": {"type": "string", "description": "Stable snake_case code."},
        "message": {"type": "string", "description": "Human-readable text (may change)."},
    },
    "required": ["field", "code", "message"],
}
_CODED = {
    "code": {"type": "string", "description": "Stable snake_case code: `errors[0].code`."},
    "errors": {"type": "array", "items": {"$ref": "#/components/schemas/ErrorItem"}},
}
ERROR_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, **_CODED},
    "required": ["detail", "code", "errors"],
}
# 400s are `{"field": ["message", ...]}` (nested for nested input) or `{"detail": "..."}`.
VALIDATION_ERROR = {
    "type": "object",
    "properties": _CODED,
    "required": ["code", "errors"],
    "additionalProperties": {},
    "description": "`{field: [messages]}` (nested for nested input), or `{detail: message}`, "
    "plus `code` and `errors[]`.",
}

# The rule codes each operation can answer with a 400 (beside DRF's own: `required`,
# `invalid`, `parse_error`, ...), as the contract lists them.
BOOKING_CODES = [
    "doctor_unavailable",
    "schedule_invalid",
    "not_a_slot",
    "slot_started",
    "beyond_horizon",
    "slot_taken",
    "patient_busy",
]
WORKING_HOURS_CODES = ["hours_overlap", "too_short", "max_length", "max_value", "min_value"]
PROFILE_CODES = [
    "unique",
    "date_in_past",
    "too_short",
    "overlap",
    "schedule_booked",
    "beyond_horizon",
]
TIME_OFF_CODES = ["time_off_conflict", "time_off_ended", "invalid"]
CLOSURE_CODES = ["time_off_conflict", "date_in_past", "unique"]
OPERATION_CODES = {
    ("/api/admin-panel/webhooks/", "post"): ["webhook_url_refused", "invalid_choice"],
    ("/api/admin-panel/webhooks/{id}/", "put"): ["webhook_url_refused", "invalid_choice"],
    ("/api/admin-panel/webhooks/{id}/", "patch"): ["webhook_url_refused", "invalid_choice"],
    ("/api/appointments/book/", "post"): BOOKING_CODES,
    ("/api/admin-panel/appointments/", "post"): [*BOOKING_CODES, "does_not_exist"],
    ("/api/appointments/{id}/", "patch"): [
        "invalid_choice",
        "schedule_invalid",
        "not_a_slot",
        "slot_taken",
        "patient_busy",
    ],
    ("/api/admin-panel/appointments/{id}/", "patch"): [
        "invalid_choice",
        "schedule_invalid",
        "not_a_slot",
        "slot_taken",
        "patient_busy",
    ],
    ("/api/appointments/{id}/cancel/", "post"): ["already_final", "cutoff_passed", "max_length"],
    ("/api/appointments/{id}/reschedule/", "post"): [
        *BOOKING_CODES,
        "already_final",
        "invalid_transition",
        "cutoff_passed",
    ],
    ("/api/appointments/{id}/confirm/", "post"): ["already_final", "invalid_transition"],
    ("/api/appointments/{id}/decline/", "post"): [
        "already_final",
        "invalid_transition",
        "max_length",
    ],
    ("/api/appointments/{id}/check-in/", "post"): ["already_final", "invalid_transition"],
    ("/api/appointments/{id}/complete/", "post"): ["already_final", "invalid_transition"],
    ("/api/appointments/{id}/no-show/", "post"): ["already_final", "invalid_transition"],
    ("/api/profile/", "put"): PROFILE_CODES,
    ("/api/profile/", "patch"): PROFILE_CODES,
    ("/api/register/", "post"): ["unique", "invalid_choice", "password_too_short"],
    ("/api/profile/working-hours/", "put"): WORKING_HOURS_CODES,
    ("/api/admin-panel/doctors/{id}/working-hours/", "put"): WORKING_HOURS_CODES,
    ("/api/profile/time-off/", "post"): TIME_OFF_CODES,
    ("/api/admin-panel/doctors/{id}/time-off/", "post"): TIME_OFF_CODES,
    ("/api/admin-panel/closures/", "post"): CLOSURE_CODES,
    ("/api/admin-panel/closures/{id}/", "put"): CLOSURE_CODES,
    ("/api/admin-panel/closures/{id}/", "patch"): CLOSURE_CODES,
}


def _validation_error_for(path: str, method: str) -> dict:
    """The 400 body of one operation: the shared shape, with its rule codes named."""
    rule_codes = OPERATION_CODES.get((path, method))
    if rule_codes and (path, method) in IDEMPOTENT_OPERATIONS:
        rule_codes = [*rule_codes, "idempotency_key_invalid"]
    if not rule_codes:
        return _error("Invalid input.", "ValidationError")
    listed = ", ".join(f"`{code}`" for code in rule_codes)
    return {
        "description": f"Invalid input or a refused rule. Rule codes: {listed}.",
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/ValidationError"},
                        {
                            "type": "object",
                            "properties": {
                                "code": {
                                    "type": "string",
                                    "description": "One of the rule codes above, or DRF's "
                                    "own (`required`, `invalid`, `parse_error`, ...).",
                                    "example": rule_codes[0],
                                }
                            },
                        },
                    ]
                }
            }
        },
    }


RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "required": True,
        "description": "Seconds to wait before trying again.",
    }
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "required": True,
        "description": '`Bearer realm="api"`',
    }
}

UNTHROTTLED_PATHS = {"/api/health/"}


def _error(description: str, component: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def _errors_for(path: str, method: str, operation: dict) -> dict:
    """The error statuses this operation can answer with, each with its body and headers."""
    parameters = operation.get("parameters", [])
    in_query = {p["name"] for p in parameters if p.get("in") == "query"}
    in_path = any(p.get("in") == "path" for p in parameters)
    security = operation.get("security", [])
    uses_tokens = any(requirement for requirement in security)
    anonymous_allowed = not security or {} in security
    errors = {}
    if method != "get" or in_query:
        errors["400"] = _validation_error_for(path, method)
    if uses_tokens:
        errors["401"] = _error(
            "Missing, invalid or expired access token.", "ErrorDetail", WWW_AUTHENTICATE
        )
    if uses_tokens and not anonymous_allowed:
        errors["403"] = _error("Signed in, but not allowed to do this.", "ErrorDetail")
    if in_path or "page" in in_query:
        errors["404"] = _error("Not found (or not visible to the caller).", "ErrorDetail")
    if in_query:
        # gunicorn refuses a request line (path and query) over 4094 bytes before Django runs.
        errors["414"] = _error("Request line (path and query string) too long.", "ErrorDetail")
    if "requestBody" in operation:
        errors["413"] = _error("Request body larger than 64 KiB.", "ErrorDetail")
        errors["415"] = _error("Request body is not JSON.", "ErrorDetail")
    if path not in UNTHROTTLED_PATHS:
        errors["429"] = _error("Too many requests.", "ErrorDetail", RETRY_AFTER)
    return errors


# The POST actions whose retries are safe with an `Idempotency-Key` (appointments.idempotency).
IDEMPOTENT_OPERATIONS = {
    ("/api/appointments/book/", "post"),
    *(
        (f"/api/appointments/{{id}}/{action}/", "post")
        for action in (
            "cancel",
            "reschedule",
            "confirm",
            "decline",
            "check-in",
            "complete",
            "no-show",
        )
    ),
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": r"^[!-~]+$"},
    "description": "Makes a retry safe: the first answer (status and JSON) is kept for 24 hours "
    "per user and key and replayed to a repeat with the same path and body. 1–255 visible "
    "ASCII characters; one pair of surrounding double quotes is ignored.",
}
REPLAYED = {
    "Idempotent-Replayed": {
        "schema": {"type": "string", "enum": ["true"]},
        "description": "Present on a stored answer replayed for a repeated Idempotency-Key.",
    }
}


def _document_idempotency(path: str, method: str, operation: dict) -> None:
    if (path, method) not in IDEMPOTENT_OPERATIONS:
        return
    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
    responses = operation["responses"]
    for status, response in responses.items():
        if status.startswith("2"):
            response.setdefault("headers", {}).update(REPLAYED)
    responses["409"] = _error(
        "`idempotency_in_flight`: a request with this Idempotency-Key is still running.",
        "ErrorDetail",
    )
    responses["422"] = _error(
        "`idempotency_key_reused`: this Idempotency-Key was used with another path or body.",
        "ErrorDetail",
    )


def document_error_responses(result, generator, request, public):
    """Postprocessing hook: every operation lists the error responses it can give, with bodies.

    Views document their success responses; the errors are the same shapes everywhere (the one
    exception handler), so they are added here once. A status a view documents itself keeps
    its description, and gets the error body if it had none.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorItem", ERROR_ITEM)
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _document_idempotency(path, method, operation)
            responses = operation["responses"]
            for status, error in _errors_for(path, method, operation).items():
                responses.setdefault(status, error)
            for status, documented in responses.items():
                if status[0] in "45" and "content" not in documented:
                    documented.update({**_generic_error(status), **documented})
    return result


def _generic_error(status: str) -> dict:
    if status == "400":
        return _error("Invalid input.", "ValidationError")
    if status == "401":
        return _error("Not authenticated.", "ErrorDetail", WWW_AUTHENTICATE)
    if status == "429":
        return _error("Too many requests.", "ErrorDetail", RETRY_AFTER)
    if status == "503":
        return _error("Briefly unavailable (the cache is down).", "ErrorDetail", RETRY_AFTER)
    return _error("Error.", "ErrorDetail")


class BearerTokenScheme(SimpleJWTScheme):
    """The project's JWT authentication (users/authentication.py) is SimpleJWT's, so its scheme
    is SimpleJWT's `jwtAuth` (drf-spectacular matches the exact class, not subclasses)."""

    target_class = "users.authentication.JWTAuthentication"

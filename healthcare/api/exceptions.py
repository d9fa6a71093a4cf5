"""One exception handler for the API: every error is JSON in DRF's shape with stable codes.

Services raise Django's `ValidationError` (each message with a `code`), `PermissionDenied` or
`ObjectDoesNotExist`; this maps them to the contract's 400/403/404 and adds, to every error body,
`code` (the first error's) and `errors` (`{field, code, message}` per message, nested fields named
by their path: `schedules.2.end_time`). It rolls the request's transaction back.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler, set_rollback

from healthcare.errors import NotSignedIn, Refusal

# Keys of the error body that are not field names (contract v1.1: reserved). SimpleJWT's own
# `code` and `messages` of a bad token are kept as they are.
RESERVED_KEYS = frozenset(
    {"code", "errors", "messages", "appointments", "appointments_count", "cancelled_appointments"}
)
NOT_A_FIELD = frozenset({"detail", api_settings.NON_FIELD_ERRORS_KEY})


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


def _leaves(value, path: tuple[str, ...]):
    """(path, message) for every message under `value`, in the body's order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in RESERVED_KEYS:
                continue
            # `detail` and `non_field_errors` are about their parent, not a field of their own.
            yield from _leaves(item, path if key in NOT_A_FIELD else (*path, str(key)))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            if isinstance(item, dict | list | tuple):
                yield from _leaves(item, (*path, str(index)))
            else:
                yield path, item
    elif value is not None:
        yield path, value


def error_items(body) -> list[dict]:
    """The contract's `errors[]` for a v1 error body: one `{field, code, message}` per message."""
    return [
        {
            "field": ".".join(path) or None,
            "code": getattr(message, "code", None) or "invalid",
            "message": str(message),
        }
        for path, message in _leaves(body, ())
    ]


def with_codes(body, default_code: str):
    """The v1 body with `code` and `errors` added (a top-level list becomes an object first)."""
    if isinstance(body, list | tuple):
        if body and all(isinstance(item, dict) for item in body):
            # A JSON-array request (working hours): its items' errors keyed by index.
            body = {str(index): item for index, item in enumerate(body) if item}
        else:
            body = {api_settings.NON_FIELD_ERRORS_KEY: list(body)}
    elif not isinstance(body, dict):
        body = {"detail": body}
    items = error_items(body)
    code = body.get("code") or (items[0]["code"] if items else default_code)
    return {**body, "code": str(code), "errors": items or [_item(None, default_code, "")]}


def _item(field, code, message) -> dict:
    return {"field": field, "code": code, "message": message}


def json_error(detail: str, code: str, status: int, **kwargs) -> JsonResponse:
    """An error answered outside DRF (Django's 400/403/404/500 handlers, middleware)."""
    body = {"detail": detail, "code": code, "errors": [_item(None, code, detail)]}
    return JsonResponse(body, status=status, **kwargs)


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE: Django would answer an HTML 400.
        exc = PayloadTooLarge()
    elif isinstance(exc, NotSignedIn):
        exc = exceptions.AuthenticationFailed(exc.message, code=exc.code)
        # What DRF's APIView does for its own AuthenticationFailed before calling this handler.
        view, request = context.get("view"), context.get("request")
        header = view.get_authenticate_header(request) if view and request else None
        if header:
            exc.auth_header = header
    elif isinstance(exc, Refusal):
        response = _render(exceptions.ValidationError(detail=exc.detail))
        response.data.update(exc.extra)
        return response
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()
    return _render(exc, context)


def _render(exc, context=None):
    response = exception_handler(exc, context or {})
    if response is not None:
        set_rollback()
        default_code = getattr(exc, "default_code", None) or "error"
        response.data = with_codes(response.data, default_code)
    return response

"""One exception handler for the API: every error is JSON in DRF's shape, and rolls back.

Services raise Django's `ValidationError`/`PermissionDenied` or `ObjectDoesNotExist`; this maps
them to the contract's 400/403/404 shapes so views stay thin.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.views import exception_handler, set_rollback


def django_validation_error_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for m in errors.messages] for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in exc.messages]}


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


def api_exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE: Django would answer an HTML 400.
        exc = PayloadTooLarge()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=django_validation_error_detail(exc))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is not None:
        set_rollback()
    return response

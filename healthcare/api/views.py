"""Service endpoints (health, API docs) and the JSON error pages for `/api/` paths."""

from functools import cache

from django.contrib.staticfiles import finders
from django.core.cache import cache as default_cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import reverse
from django.views import defaults
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from healthcare.api import schema  # noqa: F401 (registers the OpenAPI extensions)
from healthcare.api.exceptions import json_error
from healthcare.api.throttling import CACHE_ERRORS
from healthcare.clinic import clinic_info

API_PREFIX = "/api/"

# The docs pages load only this host's files: the sidecar bundles and the schema. The templates
# and the patched ReDoc script name nothing else; the policy makes any future slip (a new CDN
# font or logo in an upgraded bundle) fail closed in the browser instead of reaching out.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

HealthSerializer = inline_serializer(
    name="Health",
    fields={
        "status": serializers.ChoiceField(choices=["ok", "degraded", "error"]),
        "database": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "cache": serializers.ChoiceField(choices=["ok", "unavailable"]),
    },
)


def _database_answers() -> bool:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _cache_answers() -> bool:
    try:
        default_cache.get("health-probe")
    except CACHE_ERRORS:
        return False
    return True


class HealthView(APIView):
    """Liveness, database and cache reachability for load balancers and monitors; never throttled.

    Without the cache the API still serves (SECURITY.md), so that is `degraded` with a 200, not a
    503 that would take the instance out of a load balancer.
    """

    authentication_classes = ()
    permission_classes = [AllowAny]
    throttle_classes = ()
    renderer_classes = [JSONRenderer]

    @extend_schema(
        tags=["service"],
        summary="Health check: the service and its database",
        responses={200: HealthSerializer, 503: HealthSerializer},
        description=(
            "200 `ok` when the service, its database and its cache answer; 200 `degraded` when "
            "only the cache doesn't (the API keeps serving; sign-in and registration answer 503); "
            "503 `error` when the database doesn't."
        ),
    )
    def get(self, request):
        database = _database_answers()
        cache_ok = _cache_answers()
        body = {
            "status": "ok" if database and cache_ok else "degraded" if database else "error",
            "database": "ok" if database else "unavailable",
            "cache": "ok" if cache_ok else "unavailable",
        }
        if not database:
            return Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response(body)


class BookingPolicySerializer(serializers.Serializer):
    min_notice_minutes = serializers.IntegerField(read_only=True)
    horizon_days = serializers.IntegerField(read_only=True)
    cancel_cutoff_minutes = serializers.IntegerField(read_only=True)


class ClinicSerializer(serializers.Serializer):
    name = serializers.CharField(read_only=True)
    time_zone = serializers.CharField(read_only=True, help_text="IANA zone, e.g. `Asia/Dhaka`.")
    slot_minutes = serializers.IntegerField(read_only=True)
    currency = serializers.CharField(read_only=True, help_text="ISO 4217 code, e.g. `BDT`.")
    booking = BookingPolicySerializer(read_only=True)


class ClinicView(APIView):
    """The clinic's name, time zone, slot length, currency and booking policy, for front ends."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=["clinic"],
        operation_id="clinic_retrieve",
        summary="Read the clinic's time zone, slot length, currency and booking policy",
        responses=ClinicSerializer,
    )
    def get(self, request):
        return Response(clinic_info())


class _NoOutsideRequests:
    """Adds the docs Content-Security-Policy to a drf-spectacular page view."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class SwaggerView(_NoOutsideRequests, SpectacularSwaggerView):
    """Swagger UI from the sidecar's files."""


class RedocView(_NoOutsideRequests, SpectacularRedocView):
    """ReDoc from the sidecar's files, without the stock template's Google Fonts links."""

    template_name = "api/redoc.html"

    @staticmethod
    def _redoc_standalone():
        return reverse("redoc-script")


REDOC_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOC_LOGO_URL = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'


@cache
def _redoc_script() -> bytes:
    """The sidecar's ReDoc bundle with its one outside request (the footer logo) removed.

    An empty `src` makes the logo component hide itself through its own `onError`.
    """
    with open(finders.find(REDOC_BUNDLE), "rb") as bundle:
        return bundle.read().replace(REDOC_LOGO_URL, b'""')


def redoc_script(request):
    """ReDoc's script, patched so opening the docs makes no request beyond this host."""
    if request.method not in ("GET", "HEAD"):
        # Django's require_safe would answer an empty text/html 405; /api/ speaks JSON.
        return json_error(
            f'Method "{request.method}" not allowed.',
            "method_not_allowed",
            405,
            headers={"Allow": "GET, HEAD"},
        )
    response = HttpResponse(_redoc_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """400 raised outside DRF (e.g. a disallowed Host header): JSON under /api/."""
    if _is_api(request):
        return json_error("Bad request.", "bad_request", 400)
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    """403 raised outside DRF: JSON under /api/."""
    if _is_api(request):
        return json_error(
            "You do not have permission to perform this action.", "permission_denied", 403
        )
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    """Unknown URLs: JSON under /api/, Django's page elsewhere."""
    if _is_api(request):
        return json_error("Not found.", "not_found", 404)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Unhandled errors: JSON under /api/ (no detail: it could leak internals)."""
    if _is_api(request):
        return json_error("A server error occurred.", "server_error", 500)
    return defaults.server_error(request, template_name)

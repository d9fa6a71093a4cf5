"""Request-wide pieces: the client IP for the audit trail (honouring only as many proxies as
DJANGO_TRUSTED_PROXIES says), /api/ paths without their trailing slash, and JSON error pages."""

from contextvars import ContextVar

from django.conf import settings
from django.urls import is_valid_path
from rest_framework.response import Response

from healthcare.api.exceptions import json_error

_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


def client_ip_from_request(request) -> str | None:
    """The client's IP: REMOTE_ADDR, or the entry `DJANGO_TRUSTED_PROXIES` hops back in XFF.

    X-Forwarded-For is client-controlled at its left end, so it is trusted only as far as the
    configured number of proxies appended to it; with no trusted proxy it is ignored.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "DJANGO_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [p for p in forwarded if p]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies][:45]


def current_client_ip() -> str | None:
    return _client_ip.get()


class ClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(client_ip_from_request(request))
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


class NoStoreAPIResponsesMiddleware:
    """`Cache-Control: no-store` on /api/ responses that don't set their own caching.

    API responses carry tokens, health appointments and contact details: no browser or shared
    proxy cache may keep a copy. A response that chose its caching (the docs assets) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class DebugErrorPagesAsJSONMiddleware:
    """Under /api/, turn Django's HTML technical 404/500 pages (DEBUG on) into JSON.

    With DEBUG on, Django answers unknown URLs and crashes with its technical pages and never
    calls handler404/handler500; the contract wants JSON from /api/ whatever the mode, so
    front-end developers running `make run` see the same bodies as production. DRF's own
    responses (the browsable API's HTML included) are left alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and request.path.startswith("/api/")
            and response.status_code in (404, 500)
            and not isinstance(response, Response)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            if response.status_code == 404:
                return json_error("Not found.", "not_found", 404)
            return json_error("A server error occurred.", "server_error", 500)
        return response


class APITrailingSlashMiddleware:
    """Under /api/, a path missing its trailing slash is served by the view of the path with it.

    Django's APPEND_SLASH answers such a request with a redirect: a 301 whose HTML body a JSON
    client can't read and whose POST body browsers and HTTP libraries drop, or, with DEBUG on, a
    500 for a POST. Front ends generated from the schema, or typed by hand, often leave the slash
    off, so the request is re-resolved here, without a round trip, before CommonMiddleware sees
    it. Only a path that matches no route and does match one with the slash is rewritten; a path
    that matches neither stays as it is and gets the JSON 404. Paths with the slash, the common
    case, cost nothing here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path.startswith("/api/") and not path.endswith("/"):
            urlconf = getattr(request, "urlconf", None)
            if not is_valid_path(path, urlconf) and is_valid_path(f"{path}/", urlconf):
                request.path_info = f"{path}/"
                request.path = f"{request.path}/"
                request.META["PATH_INFO"] = f"{request.META.get('PATH_INFO', path)}/"
        return self.get_response(request)

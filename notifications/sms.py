"""SMS backends chosen by `SMS_URL`: `console:` (default), `locmem:` (tests) or an HTTP gateway.

The gateway receives `POST {"to": "+880…", "text": "…"}` as JSON, with `SMS_TOKEN` as a Bearer
token when set; any answer but a 2xx is a failure (the notification is retried).
"""

import json
import sys
import urllib.error
import urllib.request

from django.conf import settings

TIMEOUT_SECONDS = 10

# What the `locmem:` backend "sent", like `django.core.mail.outbox`.
outbox: list[dict] = []


class SMSError(Exception):
    """The gateway refused or could not be reached; the message holds no number or text."""


class ConsoleBackend:
    def send(self, *, to: str, text: str) -> None:
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    def send(self, *, to: str, text: str) -> None:
        outbox.append({"to": to, "text": text})


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class HTTPBackend:
    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    def send(self, *, to: str, text: str) -> None:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked: http or https)
            self.url,
            data=json.dumps({"to": to, "text": text}).encode(),
            headers=headers,
            method="POST",
        )
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError) as exc:
            raise SMSError(f"SMS gateway unreachable: {type(exc).__name__}") from exc
        if not 200 <= status < 300:
            raise SMSError(f"SMS gateway answered {status}")


def get_backend():
    """The backend `SMS_URL` names (read at each call, so tests can switch it)."""
    url = settings.SMS_URL or "console:"
    if url == "console:":
        return ConsoleBackend()
    if url == "locmem:":
        return LocmemBackend()
    if url.startswith(("http://", "https://")):
        return HTTPBackend(url, settings.SMS_TOKEN)
    raise SMSError("SMS_URL must be console:, locmem: or an http(s) URL")

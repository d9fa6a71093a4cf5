"""Webhook plumbing: the SSRF guard, Standard Webhooks secrets and signatures, one POST.

Every attempt resolves the host again, refuses any address that is not public (loopback,
private, link-local, shared 100.64/10, unique-local, IPv4-mapped, unspecified, ...) and then
connects to exactly the address it checked (the Host header and TLS SNI name the host), so a
DNS answer that changes between the check and the connection cannot reach an internal service.
`WEBHOOK_ALLOW_PRIVATE=1` (tests, a clinic's own network) lifts the address rule and allows http.
"""

import base64
import datetime as dt
import http.client
import ipaddress
import secrets
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks import Webhook as Signer

from healthcare.errors import Refusal

TIMEOUT_SECONDS = 10
SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 32
URL_REFUSED = "webhook_url_refused"
# The addresses Python may still call global but that reach no public service of a clinic's
# partner (shared address space is not `is_private` on every Python version).
_NOT_PUBLIC = (
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("fc00::/7"),
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("2002::/16"),
)


class WebhookRefused(Exception):
    """The URL may not be called (scheme, or an address that is not public)."""


def address_allowed(address: str) -> bool:
    """Is this IP a public unicast address (never loopback, private, mapped, unspecified...)?"""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip.sixtofour or ip.teredo):
        return False
    if any(ip in net for net in _NOT_PUBLIC if net.version == ip.version):
        return False
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
    )


def resolve(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) after the checks; else `WebhookRefused`."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes:
        raise WebhookRefused("only https URLs are allowed")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise WebhookRefused("the URL's port is not valid") from exc
    if not host:
        raise WebhookRefused("the URL names no host")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookRefused("the host does not resolve") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise WebhookRefused("the host does not resolve")
    # Every address must be public: a name with one private answer is refused outright.
    if not allow_private and not all(address_allowed(a) for a in addresses):
        raise WebhookRefused("the host resolves to an address that is not public")
    return parts.scheme, host, port, addresses[0]


def url_check(url: str) -> None:
    """The create/update rule: a `webhook_url_refused` 400 for a URL no attempt may call."""
    try:
        resolve(url)
    except WebhookRefused as exc:
        raise Refusal.of("url", URL_REFUSED, f"This URL is refused: {exc}.") from None


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_valid(value: str) -> bool:
    """`whsec_` + standard base64 of 24 to 64 bytes (the Standard Webhooks key sizes)."""
    if not value.startswith(SECRET_PREFIX):
        return False
    try:
        key = base64.b64decode(value[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        return False
    return 24 <= len(key) <= 64


def sign(*, secret: str, msg_id: str, timestamp: dt.datetime, body: str) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by the decoded secret."""
    return Signer(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the host name (SNI), not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(*, url: str, body: str, headers: dict) -> int:
    """POST the body to the checked address of `url`; the status code (no redirect followed).

    Raises `WebhookRefused` for a URL that resolves to a refused address, `OSError` (timeouts
    included) or `http.client.HTTPException` when the receiver can't be reached or answers junk.
    """
    scheme, host, port, address = resolve(url)
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=address, timeout=TIMEOUT_SECONDS)
    default_port = 443 if scheme == "https" else 80
    host_header = host if ":" not in host else f"[{host}]"
    if port != default_port:
        host_header += f":{port}"
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={
                "Host": host_header,
                "Content-Type": "application/json",
                "User-Agent": "healthcare-webhooks/1",
                **headers,
            },
        )
        response = connection.getresponse()
        response.read(65536)
        return response.status
    finally:
        connection.close()

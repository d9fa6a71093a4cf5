"""Real receivers for the tests: an SMTP server (aiosmtpd) and an HTTP server, in-process."""

import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPSink:
    """Every message the SMTP server received, as `email.message.Message`s."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        import email

        message = email.message_from_bytes(envelope.content)
        message["X-Rcpt-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@contextmanager
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SMTPSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        sink.port = controller.port
        yield sink
    finally:
        controller.stop()


class HTTPSink:
    """What the HTTP server received; `status` is what it answers (settable per test)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.url = ""


@contextmanager
def http_server():
    sink = HTTPSink()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            sink.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "raw": raw,
                    "json": json.loads(raw or b"null"),
                }
            )
            self.send_response(sink.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()

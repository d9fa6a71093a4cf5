"""Gunicorn settings for `gunicorn healthcare.wsgi` (read automatically from the project root).

GUNICORN_BIND (default 127.0.0.1:8000: behind a reverse proxy on the same host) and
GUNICORN_WORKERS (default 2 × CPUs + 1) are read from the environment; the rest is fixed here.
"""

import gc
import json
import multiprocessing
import os
import re

from gunicorn import util

wsgi_app = "healthcare.wsgi:application"

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

_workers = os.environ.get("GUNICORN_WORKERS", "").strip()
workers = int(_workers) if _workers else multiprocessing.cpu_count() * 2 + 1

# A request that runs this long is stuck (the API's slowest endpoint is a report): kill it
# instead of letting it hold a worker; give in-flight requests time to finish on a restart.
timeout = 30
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so a slow leak can't grow without bound (jitter: not all at once).
# Workers fork from a master that has already imported the project (preload_app), so a recycled
# worker serves at once instead of spending about a second importing Django: under load the old
# setting (2,000 requests, no preload) restarted a worker every few seconds and each restart
# showed in p99. The master opens no database or cache connection for workers to inherit:
# Django connects lazily, per worker. A code deploy restarts gunicorn (not HUP).
preload_app = True
max_requests = 20000
max_requests_jitter = 2000

# Refuse oversized request lines and headers before Django sees them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190


def _json_error(sock, status_int, reason, mesg):
    """gunicorn's own refusals (request line or headers too long, malformed request) as JSON.

    They happen before Django sees the request, as an HTML page: the API answers JSON everywhere.
    Only the reason goes out; gunicorn's message can echo parts of the request.
    """
    # The contract's error body (healthcare/api/exceptions.py), written out: this file runs
    # before Django is set up.
    detail, code = f"{reason}.", re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_")
    error = {"field": None, "code": code, "message": detail}
    body = json.dumps({"detail": detail, "code": code, "errors": [error]}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


# Workers call `util.write_error` for these; they inherit this from the master at fork.
util.write_error = _json_error

# Logs to stdout/stderr for the process manager. The access log names the path only (%(U)s),
# never the query string or the full request line, and no referrer: query strings can carry
# personal data (a mobile number in a search, a token in a link).
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'

# Only the local proxy may tell us the original scheme (X-Forwarded-Proto) and client address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Workers' heartbeat files on tmpfs where there is one: a slow disk can't make them look dead.
# (S108: not a temp file, gunicorn's documented advice for its heartbeat directory.)
_SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM


def when_ready(server):
    # The master has loaded the app (preload_app) and forks the workers from here, so they
    # inherit these ~100k objects. Frozen, they sit outside the collector's generations: a full
    # collection in a worker walks only what the worker allocated itself instead of pausing tens
    # of milliseconds for the whole app, which is what a large answer (the reports) sets off
    # (bench/results.md). It also keeps the collector from writing to the shared pages.
    gc.freeze()

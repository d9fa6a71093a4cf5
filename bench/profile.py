"""Where the time goes: py-spy samples of the gunicorn workers, summed by layer of the stack.

``bench/run.py --profile NAME`` records each named scenario under the same wrk load with
``py-spy record --subprocesses --format raw`` and folds the stacks here. A sample is charged to the
layer of its innermost frame that matches a rule below (so time in psycopg2 under the ORM is
"SQL execution", time compiling the query is "ORM: building SQL").
"""

from __future__ import annotations

import collections
import re

PROJECT = r"\((users|doctors|appointments|admin_panel|healthcare)/"
# (layer, regex on "function (file)"), tried from the innermost frame outwards.
LAYERS = [
    ("imports (first use of a module)", r"<frozen importlib"),
    ("password hashing", r"django/contrib/auth/hashers\.py|django/utils/crypto\.py"),
    ("SQL execution (database round trips)", r"django/db/backends/"),
    ("ORM: building SQL", r"django/db/models/sql/|django/db/models/expressions\.py|lookups\.py"),
    ("ORM: rows to model instances", r"django/db/models/(query|base|fields)"),
    ("JWT auth", r"rest_framework_simplejwt/|jwt/"),
    ("throttling (cache)", r"rest_framework/throttling\.py|django/core/cache/"),
    ("DRF serializers", r"rest_framework/(serializers|fields|relations)\.py"),
    ("JSON rendering", r"rest_framework/renderers\.py|json/encoder\.py|orjson"),
    ("filters and pagination", r"django_filters/|rest_framework/pagination\.py|paginator\.py"),
    ("audit trail", r"admin_panel/receivers\.py|healthcare/events\.py"),
    ("project code (views, services, selectors)", PROJECT),
    ("DRF request/response plumbing", r"rest_framework/"),
    ("Django request/middleware", r"django/"),
    ("gunicorn (accept, parse, write)", r"gunicorn/"),
]
_COMPILED = [(name, re.compile(rx)) for name, rx in LAYERS]
_FRAME = re.compile(r"^(.*) \((.*?)(?::\d+)?\)$")


def _frames(stack: str) -> list[str]:
    out = []
    for frame in stack.split(";"):
        if frame.startswith("process "):
            continue
        m = _FRAME.match(frame)
        out.append(f"{m.group(1)} ({m.group(2)})" if m else frame)
    return out


def fold(raw: str) -> dict:
    """Per-layer shares, top self-time frames and top inclusive project/library frames."""
    layers: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = _frames(stack)
        if not any("handle_request" in f for f in frames):
            continue  # the master process and idle workers waiting in accept()
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
        for frame in reversed(frames):
            layer = next((name for name, rx in _COMPILED if rx.search(frame)), None)
            if layer:
                layers[layer] += n
                break
        else:
            layers["other"] += n

    def share(counter, k):
        return [(name, round(100 * n / total, 1)) for name, n in counter.most_common(k)]

    interesting = collections.Counter(
        {
            f: n
            for f, n in inclusive.items()
            if re.search(r"\((users|doctors|appointments|admin_panel|healthcare|rest_framework)", f)
        }
    )
    return {
        "samples": total,
        "layers": share(layers, len(LAYERS) + 1) if total else [],
        "self": share(own, 15) if total else [],
        "inclusive": share(interesting, 15) if total else [],
    }

"""Settings for the benchmark: the project's own settings, DEBUG off, plus two floor routes.

Used only by `bench/run.py` (and `python -m bench.seed`); the project itself gets no bench routes.
"""

from healthcare.settings import *  # noqa: F403 — the bench measures the project's real settings
from healthcare.settings import ALLOWED_HOSTS, BASE_DIR

DEBUG = False
ROOT_URLCONF = "bench.urls"
# The in-process query-count pass uses Django's test client, which sends Host: testserver.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# WhiteNoise warns on every worker start when STATIC_ROOT is missing; the runner creates this one.
STATIC_ROOT = BASE_DIR / "bench" / "data" / "static"

"""What the browser tests share: Debian's Chromium driven by Playwright against live_server.

Screenshots land in test-artifacts/ (git-ignored) for a person to look at.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium reaches for Google's hosts at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -r requirements.txt)"
)
# The marks every browser test module carries.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install -y chromium)"
    ),
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def browser_page(base_url: str, monkeypatch, *, timeout_ms: int):
    """A Chromium page on `base_url`; closes the browser and the sessions opened meanwhile."""
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe, so Django's async guard is lifted for these tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url)
        context.set_default_timeout(timeout_ms)
        yield context.new_page()
        context.close()
        browser.close()
        # While Playwright's loop runs, the test's ORM calls get a database session of their
        # own that nothing else closes; left open, the test database can't be dropped.
        for connection in connections.all(initialized_only=True):
            if connection.vendor != "sqlite":
                connection.close()

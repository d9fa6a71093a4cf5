"""The docs pages in a real browser: they render, and every request stays on this host."""

import contextlib
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.test import override_settings

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium on this machine"),
]


PAGES = ["/api/redoc/", "/api/docs/"]

# Selectors, not script: the pages' policy forbids the eval a JS predicate would need.
RENDERED = ":text('/api/token/'), :text('auth_token_create')"


def open_pages(base: str) -> dict[str, tuple[list[str], list[str], str]]:
    """Load each docs page until the network is quiet: URLs requested, console errors, text."""
    results = {}
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for path in PAGES:
            page = browser.new_page()
            requested, errors = [], []
            page.on("request", lambda request, seen=requested: seen.append(request.url))
            page.on(
                "console",
                lambda message, seen=errors: message.type == "error" and seen.append(message.text),
            )
            page.on("pageerror", lambda error, seen=errors: seen.append(str(error)))
            page.goto(base + path, wait_until="networkidle")
            # Both UIs fetch the schema and render it afterwards; give a busy machine time.
            with contextlib.suppress(playwright.TimeoutError):
                page.locator(RENDERED).first.wait_for(timeout=20_000)
            page.wait_for_timeout(500)
            results[path] = (requested, errors, page.inner_text("body"))
            page.close()
        browser.close()
    return results


@pytest.fixture(scope="module")
def pages(live_server, django_db_blocker):
    # Module-scoped, so the root conftest's per-test plain storage isn't in force yet: without
    # it the manifest storage (which needs collectstatic) would name files that don't exist.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Playwright's sync API runs an event loop in its thread, where Django refuses ORM calls;
    # a thread of its own keeps the test database's setup and teardown out of its way.
    # The server thread touches the database connection on every request (Django closes stale
    # ones); pytest-django blocks that outside a test unless told.
    with (
        django_db_blocker.unblock(),
        override_settings(STORAGES=storages),
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        return pool.submit(open_pages, live_server.url).result(timeout=120)


def outside(requested: list[str], base: str) -> list[str]:
    # blob: URLs are made by the page itself (ReDoc's search worker); they never leave it.
    return [url for url in requested if not url.startswith((base, "blob:", "data:"))]


@pytest.mark.parametrize("path", PAGES)
def test_docs_page_requests_nothing_beyond_this_host(pages, live_server, path):
    requested, _errors, _text = pages[path]
    assert outside(requested, live_server.url) == []


@pytest.mark.parametrize("path", PAGES)
def test_docs_page_renders_the_api_operations(pages, path):
    _requested, _errors, text = pages[path]
    assert "/api/token/" in text or "auth_token_create" in text, text[:300]


@pytest.mark.parametrize("path", PAGES)
def test_docs_page_has_nothing_blocked_by_its_content_security_policy(pages, path):
    _requested, errors, _text = pages[path]
    assert [error for error in errors if "Content Security Policy" in error] == []

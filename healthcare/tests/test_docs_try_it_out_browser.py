"""Swagger UI in a real browser: "Try it out" on the doctors list calls the API and gets a 200."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections

from doctors.tests.factories import DoctorFactory

CHROMIUM = "/usr/bin/chromium"
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
pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing (apt-get install -y chromium)"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API keeps an event loop in this thread; the test's own ORM calls stay
    # synchronous and safe, so Django's async guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(30_000)
        yield context.new_page()
        context.close()
        browser.close()
        # Sessions opened under Playwright's loop are closed here, or the test database
        # couldn't be dropped on PostgreSQL.
        for connection in connections.all(initialized_only=True):
            if connection.vendor != "sqlite":
                connection.close()


def test_try_it_out_on_the_doctors_list_returns_200_with_the_doctor(page, live_server):
    DoctorFactory(full_name="Dr. Tryit Outwell")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs/", wait_until="networkidle")
    operation = page.locator("#operations-doctors-doctors_list")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    page.screenshot(path=str(ARTIFACTS / "docs-try-it-out-doctors-list.png"), full_page=True)

    assert status.inner_text().strip() == "200"
    assert "Dr. Tryit Outwell" in operation.locator(".live-responses-table").inner_text()
    assert any(re.search(r"/api/doctors/(\?|$)", url) for url in requested)
    assert [u for u in requested if not u.startswith((live_server.url, "blob:", "data:"))] == []

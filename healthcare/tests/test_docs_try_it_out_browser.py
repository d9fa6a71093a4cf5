"""Swagger UI in a real browser: "Try it out" on the doctors list calls the API and gets a 200."""

import re

import pytest

from doctors.tests.factories import DoctorFactory
from healthcare.tests.browser import ARTIFACTS, BROWSER_TEST, browser_page

pytestmark = BROWSER_TEST


@pytest.fixture
def page(live_server, monkeypatch):
    with browser_page(live_server.url, monkeypatch, timeout_ms=30_000) as page:
        yield page


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

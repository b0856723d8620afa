"""The "Near me" button in a real Chromium: it asks for the position and sorts the list by it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
        reason="Chromium is not installed (apt-get install chromium)",
    ),
]


@pytest.fixture
def served(seeded_app: Flask) -> Iterator[str]:
    """The seeded app on a free local port, for the length of one test."""
    server = make_server("127.0.0.1", 0, seeded_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def keep_local(page, outside: list[str]) -> None:  # noqa: ANN001
    """Let the page reach only our server; remember anything it tried elsewhere."""

    def route(request_route) -> None:  # noqa: ANN001
        if urlsplit(request_route.request.url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)


def test_near_me_sorts_by_the_browsers_position(served: str) -> None:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                geolocation={"latitude": 55.7101, "longitude": 37.7183},
                permissions=["geolocation"],
                locale="ru-RU",
            )
            page = context.new_page()
            keep_local(page, outside)
            page.goto(served + "/?q=кванториум")
            button = page.get_by_role("button", name="Рядом со мной")
            assert button.is_visible()
            with page.expect_navigation():
                button.click()
            query = dict(part.split("=", 1) for part in urlsplit(page.url).query.split("&") if part)
            assert query["near"] == "55.710100%2C37.718300"
            assert query["q"] != ""  # the other filters stay
            first = page.locator(".technopark-card").first
            assert "технополис «Москва»" in first.locator("h2").inner_text()
            assert "менее 100 м" in first.locator(".distance").inner_text()
            assert "Расстояния от выбранной точки 55.7101, 37.7183." in page.content()
        finally:
            browser.close()
    assert outside == []


def test_a_refused_position_is_explained(served: str) -> None:
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="en-GB", permissions=[])
            page = context.new_page()
            keep_local(page, outside)
            page.goto(served + "/?lang=en")
            page.get_by_role("button", name="Near me").click()
            status = page.locator("#near-me-status")
            status.wait_for(state="visible")
            page.wait_for_function(
                "document.getElementById('near-me-status').textContent.includes('did not share')"
            )
            assert "near=" not in page.url
        finally:
            browser.close()
    assert outside == []

"""The "Near me" button in a real Chromium: it asks for the position and sorts the list by it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

# Map tiles are the one thing allowed to leave the machine; the test answers them itself.
TILE_HOST = "tile.openstreetmap.org"


def keep_local(page: Any, outside: list[str]) -> None:
    """Let the page reach only our server and the tiles; remember anything else it tried."""

    def route(request_route: Any) -> None:
        host = urlsplit(request_route.request.url).hostname
        if host == "127.0.0.1":
            request_route.continue_()
        elif host == TILE_HOST:
            request_route.fulfill(status=204)
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)


def test_near_me_sorts_by_the_browsers_position(browser: Any, live_server: str) -> None:
    outside: list[str] = []
    context = browser.new_context(
        geolocation={"latitude": 55.7101, "longitude": 37.7183},
        permissions=["geolocation"],
        locale="ru-RU",
    )
    page = context.new_page()
    keep_local(page, outside)
    page.goto(live_server + "/?q=кванториум")
    button = page.get_by_role("button", name="Рядом со мной")
    assert button.is_visible()
    with page.expect_navigation():
        button.click()
    query = dict(part.split("=", 1) for part in urlsplit(page.url).query.split("&") if part)
    assert query["near"] == "55.710100%2C37.718300"
    assert query["q"] != ""  # the other filters stay
    first = page.locator(".technopark-card").first
    assert "технополис «Москва»" in first.locator("h3").inner_text()
    assert "менее 100 м" in first.locator(".distance").inner_text()
    assert "Расстояния от выбранной точки 55.7101, 37.7183." in page.content()
    context.close()
    assert outside == []


def test_a_refused_position_is_explained(browser: Any, live_server: str) -> None:
    outside: list[str] = []
    context = browser.new_context(locale="en-GB", permissions=[])
    page = context.new_page()
    keep_local(page, outside)
    page.goto(live_server + "/?lang=en")
    page.get_by_role("button", name="Near me").click()
    status = page.locator("#near-me-status")
    status.wait_for(state="visible")
    page.wait_for_function(
        "document.getElementById('near-me-status').textContent.includes('did not share')"
    )
    assert "near=" not in page.url
    context.close()
    assert outside == []

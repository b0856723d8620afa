"""The map in a real Chromium: markers drawn, popups exact, links followed, nothing external."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from directory.domain.models import Technopark

pytestmark = pytest.mark.browser

HOSTILE_NAME = "Тест {{ 1234*5 }} ${1+1} <img src=x onerror=alert(1)>"
TILE_HOST = "tile.openstreetmap.org"
# The smallest valid PNG, served in place of map tiles: the test machine has no internet.
BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


class PageWatch:
    """What a page did: requests, console errors, dialogs."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []

    def external_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).hostname not in {"127.0.0.1", TILE_HOST}
            and not url.startswith(("data:", "about:"))
        ]


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[tuple[Any, PageWatch]]:
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    watch = PageWatch()
    page = context.new_page()
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            watch.console_errors.append(message.text) if message.type == "error" else None
        ),
    )

    def dismiss(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.route(
        f"https://{TILE_HOST}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )
    yield page, watch
    context.close()


def map_frame(page: Any) -> Any:
    frame = page.frame_locator("iframe.directory-map")
    return frame


def wait_for_markers(page: Any) -> int:
    """How many markers the map loaded, once it has loaded them."""
    handle = page.wait_for_selector("iframe.directory-map")
    frame = handle.content_frame()
    frame.wait_for_function("document.body.dataset.markers !== undefined", timeout=15000)
    return int(frame.evaluate("document.body.dataset.markers"))


def test_parent_sees_the_map_and_reaches_the_founding_news(
    page: tuple[Any, PageWatch], live_server: str
) -> None:
    page, watch = page
    page.goto(live_server + "/")
    assert wait_for_markers(page) == 44
    frame = page.query_selector("iframe.directory-map").content_frame()
    frame.wait_for_selector(".marker-cluster, .leaflet-interactive, .leaflet-marker-icon")
    assert frame.locator(".marker-cluster").count() > 0
    frame.evaluate("window.directoryMap.show('kvantorium-technopolis-moscow')")
    popup = frame.wait_for_selector(".directory-popup")
    assert "Кванториум" in popup.inner_text()
    assert "Примерное расположение" in popup.inner_text()
    with page.expect_navigation():
        frame.click(".directory-popup-link")
    assert page.url == live_server + "/technoparks/kvantorium-technopolis-moscow"
    assert "29 сентября 2016" in page.inner_text(".opening-date")
    news = page.locator(
        'a[href="https://gazetayakimanka.moscow/2016/09/29/'
        'sobyanin-otkryil-vtoroy-detskiy-tehnopark-kvantorium-v-moskve"]'
    )
    assert news.get_attribute("rel") == "noopener"
    assert news.get_attribute("target") == "_blank"
    assert watch.external_requests() == []
    assert watch.console_errors == []
    assert any(urlsplit(url).hostname == TILE_HOST for url in watch.requests)


def test_hostile_name_is_shown_exactly_and_never_run(
    page: tuple[Any, PageWatch],
    live_server: str,
    make_technopark: Callable[..., Technopark],
) -> None:
    page, watch = page
    make_technopark(
        slug="hostile",
        name=HOSTILE_NAME,
        city="Казань",
        latitude=55.79,
        longitude=49.12,
        location_precision="building",
    )
    page.goto(live_server + "/")
    wait_for_markers(page)
    card_link = page.locator('a[href="/technoparks/hostile"]')
    assert card_link.inner_text() == HOSTILE_NAME
    page.click('button.show-on-map[data-slug="hostile"]')
    frame = page.query_selector("iframe.directory-map").content_frame()
    name = frame.wait_for_selector(".directory-popup-name")
    assert name.inner_text() == HOSTILE_NAME
    assert frame.locator("img[src='x']").count() == 0
    with page.expect_navigation():
        frame.click(".directory-popup-link")
    assert page.inner_text("h1") == HOSTILE_NAME
    assert page.locator("img[src='x']").count() == 0
    assert watch.dialogs == []
    assert watch.console_errors == []


def test_phone_screen_stacks_and_never_scrolls_sideways(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    page = context.new_page()
    page.route(
        f"https://{TILE_HOST}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )
    for path in ("/", "/technoparks/kvantorium-technopolis-moscow", "/news"):
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways: {width}px"
    page.goto(live_server + "/")
    map_box = page.locator("iframe.directory-map").bounding_box()
    list_box = page.locator(".list-panel").bounding_box()
    assert list_box["y"] >= map_box["y"] + map_box["height"]
    context.close()


def test_clicking_the_map_offers_a_search_near_that_point(
    page: tuple[Any, PageWatch], live_server: str
) -> None:
    page, _ = page
    page.goto(live_server + "/")
    wait_for_markers(page)
    frame = page.query_selector("iframe.directory-map").content_frame()
    frame.evaluate(
        "() => { const map = Object.values(window).find(v => v instanceof L.Map);"
        " map.fire('click', {latlng: L.latLng(55.71, 37.72)}); }"
    )
    button = frame.wait_for_selector(".directory-popup-search")
    with page.expect_navigation():
        button.click()
    assert "near=55.71000%2C37.72000" in page.url or "near=55.71000,37.72000" in page.url


def test_the_map_shows_the_filtered_set(page: tuple[Any, PageWatch], live_server: str) -> None:
    page, watch = page
    page.goto(live_server + "/?city=Москва")
    placed_in_list = page.locator(".technopark-card:not(.unplaced)").count()
    assert 0 < placed_in_list < 44
    assert wait_for_markers(page) == placed_in_list
    assert watch.console_errors == []

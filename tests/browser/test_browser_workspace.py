"""In Chromium: sign in, edit a technopark with the map picker, see it public and in the history."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask
from helpers import GOOD_PASSWORD, AuthActions, served

from directory.domain.models import Technopark

TILE_HOSTS = {"tile.openstreetmap.org"}

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app with only what the test makes, served for the browser."""
    with served(app) as url:
        yield url


@pytest.fixture
def browser_page(browser, live_server: str):
    outside: list[str] = []
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})

    def keep_local(route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", keep_local)
    page = context.new_page()
    page.outside_requests = outside
    try:
        yield page
    finally:
        context.close()
    off_site = [url for url in outside if urlsplit(url).hostname not in TILE_HOSTS]
    assert off_site == [], "requests left 127.0.0.1 besides map tiles"


def test_sign_in_edit_and_see_the_change(
    live_server: str,
    browser_page,
    auth: AuthActions,
    make_technopark: Callable[..., Technopark],
) -> None:
    make_technopark(slug="kvantorium-browser", name="Кванториум в браузере", city="Москва")
    auth.create_user(
        email="anna@example.org", name="Анна Петрова", technoparks=["kvantorium-browser"]
    )
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server + "/manage/")
    assert page.url.startswith(live_server + "/login")
    page.get_by_label("Эл. почта").fill("anna@example.org")
    page.get_by_label("Пароль").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/manage/")
    assert "Кванториум в браузере" in page.content()

    page.get_by_role("link", name="Кванториум в браузере").first.click()
    page.wait_for_url("**/manage/technoparks/kvantorium-browser/edit")
    page.get_by_label("Адрес", exact=True).fill("Волгоградский проспект, 42к5")

    # The map picker: a click fills both coordinate fields.
    picker = page.locator("#map-picker")
    picker.wait_for(state="visible")
    picker.click(position={"x": 120, "y": 100})
    latitude = page.get_by_label("Широта").input_value()
    longitude = page.get_by_label("Долгота").input_value()
    assert latitude and longitude
    assert -90 <= float(latitude) <= 90 and -180 <= float(longitude) <= 180
    assert page.locator(".leaflet-marker-icon").count() == 1

    page.get_by_role("button", name="Сохранить изменения").click()
    page.wait_for_url("**/manage/technoparks/kvantorium-browser/edit")
    assert "Сохранено." in page.content()

    page.goto(live_server + "/technoparks/kvantorium-browser")
    profile = page.content()
    assert "Волгоградский проспект, 42к5" in profile
    assert "Последнее изменение" in profile

    page.goto(live_server + "/manage/technoparks/kvantorium-browser/history")
    history = page.locator("ol.history").inner_text()
    assert "Анна Петрова" in history
    assert "Волгоградский проспект, 42к5" in history
    assert "Широта" in history and latitude.rstrip("0") in history
    assert errors == []

"""The list page as a parent uses it: the filter form, distances, places and pages."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from helpers import seeded_technoparks

from directory.domain.models import Technopark
from directory.domain.text import fold

CHELNY = "kvantorium-naberezhnye-chelny"
TECHNOPOLIS = "kvantorium-technopolis-moscow"


def card_slugs(page: str) -> list[str]:
    """The profile links of the cards on a list page, in order."""
    return re.findall(
        r'<li class="technopark-card[^"]*">\s*<h3><a href="/technoparks/([^"]+)"', page
    )


def first_card(page: str) -> str:
    """The HTML of the first card."""
    start = page.index('<li class="technopark-card')
    return page[start : page.index("</li>", start)]


def test_a_city_name_puts_its_technopark_first(seeded_app: Flask) -> None:
    response = seeded_app.test_client().get("/?place=Набережные Челны")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert card_slugs(page)[0] == CHELNY
    assert re.search(r"\d+,\d км", first_card(page))
    assert "Расстояния от места «Набережные Челны» (город)." in page


def test_a_point_puts_the_technopolis_kvantorium_first_with_its_distance(
    seeded_app: Flask,
) -> None:
    page = seeded_app.test_client().get("/?near=55.7101,37.7183").get_data(as_text=True)
    assert card_slugs(page)[0] == TECHNOPOLIS
    assert "менее 100 м" in first_card(page)
    second = page[page.index("</li>") :]
    assert re.search(r'<p class="distance">\d+,\d км', second)
    english = seeded_app.test_client().get("/?near=55.7101,37.7183&lang=en")
    assert "less than 100 m away" in first_card(english.get_data(as_text=True))


def test_near_results_say_which_technoparks_have_no_position(seeded_app: Flask) -> None:
    page = seeded_app.test_client().get("/?near=55.75,37.62").get_data(as_text=True)
    unplaced = re.search(r'<p class="unplaced">(\d+) технопарк', page)
    assert unplaced is not None
    listed = int(re.search(r"(\d+) технопарк\w*, сначала ближайшие", page).group(1))
    assert listed + int(unplaced.group(1)) == seeded_technoparks(seeded_app, published_only=True)
    assert 'class="position-unconfirmed"' not in page


def test_the_api_finds_every_kvantorium(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    everything = client.get("/api/technoparks?limit=200").get_json()["items"]
    expected = {
        item["slug"]
        for item in everything
        if "кванториум" in fold(" ".join([item["name"], item["network"] or ""]))
    }
    assert len(expected) >= 38
    for query in ("кванториум", "КВАНТОРИУМ", "Кванториум"):
        body = client.get("/api/technoparks", query_string={"q": query, "limit": 200}).get_json()
        assert {item["slug"] for item in body["items"]} == expected
        assert body["total"] == len(expected)


def test_the_form_shows_the_chosen_filters(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    query = "q=кванториум&direction=robotics&age=14&city=москва&status=open"
    page = client.get("/?" + query).get_data(as_text=True)
    assert 'name="q" type="search" maxlength="200" value="кванториум"' in page
    assert '<option value="robotics" selected>Робототехника</option>' in page
    assert 'name="age" type="number" min="0" max="99" inputmode="numeric"\n' in page
    assert 'value="14"' in page
    assert "<option selected>Москва</option>" in page
    assert '<option value="open" selected>' in page
    # The page lists what the API finds for the same filters.
    api = client.get("/api/technoparks?" + query).get_json()
    assert card_slugs(page) == [item["slug"] for item in api["items"]]
    assert TECHNOPOLIS in card_slugs(page)
    assert "kvantorium-naberezhnye-chelny" not in card_slugs(page)
    assert re.search(rf"По вашему запросу найдено? {api['total']} технопарк", page)


def test_nothing_found_says_so(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(name="Альтаир")
    page = client.get("/?q=кванториум").get_data(as_text=True)
    assert card_slugs(page) == []
    assert "По вашему запросу технопарков нет." in page


def test_near_results_are_paged_in_distance_order(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    for number in range(5):
        make_technopark(slug=f"step-{number}", latitude=55.0 + number, longitude=37.0)
    first = client.get("/?near=55,37&limit=2").get_data(as_text=True)
    second = client.get("/?near=55,37&limit=2&page=2").get_data(as_text=True)
    third = client.get("/?near=55,37&limit=2&page=3").get_data(as_text=True)
    assert card_slugs(first) + card_slugs(second) + card_slugs(third) == [
        f"step-{number}" for number in range(5)
    ]
    assert "Страница 2 из 3" in second
    assert 'href="/?near=55%2C37&amp;limit=2&amp;page=3"' in second
    assert 'href="/?near=55%2C37&amp;limit=2"' in second


def test_the_position_can_be_set_through_the_form(client: FlaskClient) -> None:
    page = client.get("/?near=55.7101,37.7183").get_data(as_text=True)
    assert 'type="hidden" id="near-input" name="near"' in page
    assert 'value="55.710100,37.718300"' in page
    assert 'id="place-input" name="place"' in page
    assert 'id="search-form"' in page
    assert "Расстояния от выбранной точки 55.7101, 37.7183." in page


def test_near_me_uses_a_script_file_and_no_inline_script(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/static/js/near_me.js" defer></script>' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert 'id="near-me" hidden' in page
    assert "Рядом со мной" in page
    script = client.get("/static/js/near_me.js")
    assert script.status_code == 200
    assert "getCurrentPosition" in script.get_data(as_text=True)
    script.close()


def test_the_form_speaks_english_too(client: FlaskClient) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    for label in (
        "Find a technopark for your child",
        "Child's age",
        "City, Moscow district or metro station",
        "Near me",
        "Show technoparks",
    ):
        assert label in page


def test_the_count_says_how_the_list_is_ordered_in_both_languages(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(name="Кванториум", latitude=55.7, longitude=37.6)
    make_technopark(name="Альтаир", latitude=55.8, longitude=37.5)
    expected = {
        "/?lang=en": "2 technoparks in the directory.",
        "/?lang=en&q=кванториум": "1 technopark matches your search.",
        "/?lang=en&near=55.7,37.6": "2 technoparks, nearest first.",
        "/?lang=ru": "2 технопарка в каталоге.",
        "/?lang=ru&q=кванториум": "По вашему запросу найден 1 технопарк.",
        "/?lang=ru&place=Москва": "2 технопарка, сначала ближайшие.",
    }
    for path, sentence in expected.items():
        assert sentence in client.get(path).get_data(as_text=True), path

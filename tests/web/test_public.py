"""The first public pages: the list, a profile, health and the 404 page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from helpers import seeded_technoparks

from directory import create_app
from directory.domain.models import Technopark

FOUNDING_SLUG = "kvantorium-technopolis-moscow"


def test_list_shows_published_technoparks_with_links(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="visible", name="Видимый технопарк", city="Казань")
    make_technopark(slug="draft", name="Черновик", published=False)
    page = client.get("/").get_data(as_text=True)
    assert "Видимый технопарк" in page
    assert 'href="/technoparks/visible"' in page
    assert "Казань" in page
    assert "Черновик" not in page


def test_draft_profile_is_not_public(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="draft", published=False)
    assert client.get("/technoparks/draft").status_code == 404


def test_unknown_slug_gets_the_404_page(client: FlaskClient) -> None:
    response = client.get("/technoparks/no-such-park")
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)
    english = client.get("/technoparks/no-such-park?lang=en")
    assert english.status_code == 404
    assert "Page not found" in english.get_data(as_text=True)


def test_listing_text_is_escaped(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    name = "Тест {{ 1234*5 }} ${1+1} <img src=x onerror=alert(1)>"
    make_technopark(slug="escaped", name=name, description="<script>alert(1)</script>")
    for path in ("/", "/technoparks/escaped"):
        page = client.get(path).get_data(as_text=True)
        assert "Тест {{ 1234*5 }} ${1+1} &lt;img src=x onerror=alert(1)&gt;" in page
        assert "<img src=x" not in page
        assert "6170" not in page
    profile = client.get("/technoparks/escaped").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in profile


def test_healthz_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_without_the_database(tmp_path) -> None:
    missing = tmp_path / "no-such-folder" / "db.sqlite"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{missing}"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_founding_profile_shows_its_facts(seeded_app: Flask) -> None:
    page = seeded_app.test_client().get(f"/technoparks/{FOUNDING_SLUG}").get_data(as_text=True)
    assert "29 сентября 2016" in page
    assert "Технополис" in page
    assert "Новая модель системы дополнительного образования детей" in page
    assert (
        'href="https://gazetayakimanka.moscow/2016/09/29/'
        'sobyanin-otkryil-vtoroy-detskiy-tehnopark-kvantorium-v-moskve"' in page
    )
    assert 'rel="noopener"' in page


def test_founding_profile_in_english(seeded_app: Flask) -> None:
    page = (
        seeded_app.test_client().get(f"/technoparks/{FOUNDING_SLUG}?lang=en").get_data(as_text=True)
    )
    assert "29 September 2016" in page
    assert "In the news" in page


def test_list_shows_every_seeded_technopark_page_by_page(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    seeded = seeded_technoparks(seeded_app, published_only=True)
    assert seeded > 50
    pages = [client.get("/").get_data(as_text=True)]
    pages += [
        client.get(f"/?page={number}").get_data(as_text=True)
        for number in range(2, (seeded + 49) // 50 + 1)
    ]
    assert re.search(rf"\b{seeded} технопарк\w* в каталоге", pages[0])
    cards = [page.count('<li class="technopark-card') for page in pages]
    assert cards[:-1] == [50] * (len(pages) - 1)
    assert sum(cards) == seeded
    assert 'href="/?page=2"' in pages[0]
    assert f'href="/technoparks/{FOUNDING_SLUG}"' in "".join(pages)

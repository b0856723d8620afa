"""The map shell, its marker data and the public pages around them, on the server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory.domain.models import LocationPrecision, Technopark

HOSTILE_NAME = "Тест {{ 1234*5 }} ${1+1} <img src=x onerror=alert(1)>"
ESCAPED_NAME = "Тест {{ 1234*5 }} ${1+1} &lt;img src=x onerror=alert(1)&gt;"
ASSET_REFERENCE = re.compile(r'(?:src|href)="([^"]+)"')


def test_map_shell_loads_every_asset_from_the_app(client: FlaskClient) -> None:
    shell = client.get("/map")
    assert shell.status_code == 200
    html = shell.get_data(as_text=True)
    assets = ASSET_REFERENCE.findall(html)
    assert "/vendor/leaflet/leaflet.js" in assets
    assert "/vendor/markercluster/leaflet.markercluster.js" in assets
    assert "/vendor/markercluster/MarkerCluster.Default.css" in assets
    assert "/static/js/map.js" in assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the app"
        with client.get(asset) as response:
            assert response.status_code == 200, asset
    assert "window.directoryMap.attach(" in html
    assert "L.markerClusterGroup" in html
    assert "tile.openstreetmap.org" in html
    assert "OpenStreetMap" in html


def test_leaflet_images_are_served(client: FlaskClient) -> None:
    for image in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png", "layers.png"):
        with client.get(f"/vendor/leaflet/images/{image}") as response:
            assert response.status_code == 200
            assert response.mimetype == "image/png"
    assert client.get("/vendor/leaflet/../../../setup.py").status_code == 404
    assert client.get("/vendor/other/leaflet.js").status_code == 404


def test_map_shell_uses_the_configured_tiles(tmp_path) -> None:
    from directory import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "TILES_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
            "TILES_ATTRIBUTION": "Example tiles",
        }
    )
    html = app.test_client().get("/map").get_data(as_text=True)
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in html
    assert "Example tiles" in html
    assert "openstreetmap" not in html


MAP_ETAG_OF_A_FRESH_PROCESS = """
import sys
from directory import create_app

app = create_app({"TESTING": True, "DATABASE_URL": "sqlite:///" + sys.argv[1]})
response = app.test_client().get("/map")
print(response.headers["ETag"])
"""


def test_every_process_serves_the_same_map_document(tmp_path) -> None:
    """Each gunicorn worker builds the shell itself: all must answer with one ETag, so a
    browser revalidates /map (304) whichever worker it reaches."""
    etags = set()
    for seed in ("1", "2"):
        finished = subprocess.run(
            [sys.executable, "-c", MAP_ETAG_OF_A_FRESH_PROCESS, str(tmp_path / "db.sqlite")],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            timeout=120,
        )
        etags.add(finished.stdout.strip())
    assert len(etags) == 1 and next(iter(etags))


def test_no_listing_text_passes_through_folium(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="hostile", name=HOSTILE_NAME, latitude=55.79, longitude=49.12)
    shell = client.get("/map").get_data(as_text=True)
    assert "Тест" not in shell
    assert "6170" not in shell
    markers = client.get("/map/markers.json").get_json()
    names = [row[markers["fields"].index("name")] for row in markers["rows"]]
    assert names == [HOSTILE_NAME]


def test_hostile_name_is_shown_as_typed_in_the_list_and_the_profile(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="hostile", name=HOSTILE_NAME, latitude=55.79, longitude=49.12)
    for path in ("/", "/technoparks/hostile"):
        page = client.get(path).get_data(as_text=True)
        assert ESCAPED_NAME in page
        assert "<img src=x" not in page
        assert "6170" not in page


def test_markers_hold_only_published_placed_technoparks(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(
        slug="building",
        latitude=55.75,
        longitude=37.61,
        location_precision=LocationPrecision.BUILDING,
    )
    make_technopark(slug="approximate", latitude=55.7, longitude=37.7, location_precision="street")
    make_technopark(slug="unplaced")
    make_technopark(slug="draft", latitude=55.8, longitude=37.5, published=False)
    make_technopark(slug="synthetic", latitude=55.8, longitude=37.5, synthetic=True)
    payload = client.get("/map/markers.json").get_json()
    rows = {row[0]: dict(zip(payload["fields"], row, strict=True)) for row in payload["rows"]}
    assert set(rows) == {"building", "approximate"}
    assert rows["building"]["approximate"] == 0
    assert rows["approximate"]["approximate"] == 1
    assert (rows["building"]["lat"], rows["building"]["lon"]) == (55.75, 37.61)
    assert set(payload["labels"]) == {"open_profile", "approximate", "search_here"}


def test_markers_for_one_profile(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="first", latitude=55.75, longitude=37.61)
    make_technopark(slug="second", latitude=55.7, longitude=37.7)
    rows = client.get("/map/markers.json?slug=second").get_json()["rows"]
    assert [row[0] for row in rows] == ["second"]


def test_unplaced_technopark_is_listed_but_marked(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="unplaced", name="Без точки")
    page = client.get("/").get_data(as_text=True)
    assert "Без точки" in page
    assert "Место на карте не подтверждено" in page
    profile = client.get("/technoparks/unplaced").get_data(as_text=True)
    assert "Место на карте не подтверждено" in profile
    assert "/map?slug=unplaced" not in profile


def test_approximate_position_is_said_on_the_profile(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="near", latitude=55.7, longitude=37.7, location_precision="district")
    make_technopark(slug="exact", latitude=55.71, longitude=37.71, location_precision="building")
    assert "Примерное расположение" in client.get("/technoparks/near").get_data(as_text=True)
    exact = client.get("/technoparks/exact").get_data(as_text=True)
    assert "Примерное расположение" not in exact
    assert "/map?slug=exact" in exact


def profile_json_ld(page: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert match, "no JSON-LD block"
    return json.loads(match.group(1))


def test_profile_shows_every_fact_of_the_founding_record(seeded_app: Flask) -> None:
    page = (
        seeded_app.test_client()
        .get("/technoparks/kvantorium-technopolis-moscow")
        .get_data(as_text=True)
    )
    assert "«Кванториум»" in page
    assert 'href="/organizations/technopolis-moscow"' in page
    assert 'href="/programs/asi-new-model"' in page
    assert "29 сентября 2016" in page
    assert "работает" in page
    assert "13–17 лет" in page
    assert "Робототехника" in page
    assert "Примерное расположение" in page
    assert "пока не подтверждено" in page
    assert 'target="_blank" rel="noopener"' in page
    data = profile_json_ld(page)
    assert data["@type"] == "EducationalOrganization"
    assert data["foundingDate"] == "2016-09-29"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 55.710124, "longitude": 37.718253}
    assert data["address"]["addressLocality"] == "Москва"


def test_json_ld_cannot_close_its_script(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="breakout", name="</script><script>alert(1)</script>")
    page = client.get("/technoparks/breakout").get_data(as_text=True)
    assert "</script><script>alert(1)" not in page
    assert profile_json_ld(page)["name"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("precision", "value", "russian", "english"),
    [
        ("day", "2016-09-29", "29 сентября 2016", "29 September 2016"),
        ("month", "2017-12-01", "декабрь 2017", "December 2017"),
        ("year", "2018-01-01", "2018", "2018"),
    ],
)
def test_opening_date_in_words_at_its_precision(
    client: FlaskClient,
    make_technopark: Callable[..., Technopark],
    precision: str,
    value: str,
    russian: str,
    english: str,
) -> None:
    from datetime import date

    make_technopark(
        slug="dated", opening_date=date.fromisoformat(value), opening_date_precision=precision
    )
    assert russian in client.get("/technoparks/dated?lang=ru").get_data(as_text=True)
    english_page = client.get("/technoparks/dated?lang=en").get_data(as_text=True)
    assert english in english_page
    if precision != "day":
        assert f"1 {english}" not in english_page


def test_contacts_are_links(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(
        slug="contacts",
        phone="+7 (495) 587-75-57",
        website="https://example.org/park",
        email="info@example.org",
    )
    page = client.get("/technoparks/contacts").get_data(as_text=True)
    assert 'href="tel:+74955877557"' in page
    assert 'href="https://example.org/park"' in page
    assert 'href="mailto:info@example.org"' in page


def test_a_website_that_is_not_http_is_not_a_link(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="script-site", website="javascript:alert(1)")
    page = client.get("/technoparks/script-site").get_data(as_text=True)
    assert 'href="javascript:alert(1)"' not in page
    assert "javascript:alert(1)" in page


def test_news_page_lists_articles_newest_first_with_their_technoparks(seeded_app: Flask) -> None:
    page = seeded_app.test_client().get("/news").get_data(as_text=True)
    founding = page.index("sobyanin-otkryil-vtoroy-detskiy-tehnopark-kvantorium-v-moskve")
    newer = page.index("https://uv-kurier.ru/2023/04/12/")
    assert newer < founding
    assert 'href="/technoparks/kvantorium-technopolis-moscow"' in page
    assert 'rel="noopener"' in page


def test_programme_and_organisation_pages(seeded_app: Flask) -> None:
    client = seeded_app.test_client()
    programme = client.get("/programs/asi-new-model")
    assert programme.status_code == 200
    assert 'href="/technoparks/kvantorium-technopolis-moscow"' in programme.get_data(as_text=True)
    host = client.get("/organizations/technopolis-moscow")
    assert host.status_code == 200
    assert 'href="/technoparks/kvantorium-technopolis-moscow"' in host.get_data(as_text=True)
    assert client.get("/programs/none").status_code == 404
    assert client.get("/organizations/none").status_code == 404


def test_drafts_stay_off_programme_pages(seeded_app: Flask, make_technopark) -> None:
    from sqlalchemy import select

    from directory.domain.models import Program
    from directory.extensions import db

    with seeded_app.app_context():
        program_id = db.session.execute(select(Program.id)).scalar_one()
    make_technopark(
        slug="draft-of-programme", name="Черновик программы", program_id=program_id, published=False
    )
    page = seeded_app.test_client().get("/programs/asi-new-model").get_data(as_text=True)
    assert "Черновик программы" not in page


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_page_has_a_language_switch(seeded_app: Flask, language: str) -> None:
    client = seeded_app.test_client()
    other = "English" if language == "ru" else "Русский"
    for path in (
        "/",
        "/news",
        "/technoparks/kvantorium-technopolis-moscow",
        "/programs/asi-new-model",
        "/organizations/technopolis-moscow",
        "/no-such-page",
    ):
        page = client.get(f"{path}?lang={language}").get_data(as_text=True)
        assert f'<html lang="{language}">' in page, path
        assert other in page, path
        assert '<main id="content">' in page


def test_500_page_in_both_languages(tmp_path) -> None:
    from directory import create_app

    app = create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": False,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        }
    )

    @app.get("/broken")
    def broken():
        raise RuntimeError("boom")

    client = app.test_client()
    russian = client.get("/broken")
    assert russian.status_code == 500
    assert "Что-то пошло не так" in russian.get_data(as_text=True)
    english = client.get("/broken?lang=en")
    assert "Something went wrong" in english.get_data(as_text=True)


def test_marker_data_says_how_to_cluster(
    app: Flask, client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    for number in range(3):
        make_technopark(latitude=55.7 + number / 100, longitude=37.6)
    assert client.get("/map/markers.json").get_json()["clustering"] == "markercluster"
    app.config["MAP_MARKERCLUSTER_LIMIT"] = 2
    # A new filter is a new cache key, so the answer is computed afresh.
    payload = client.get("/map/markers.json?city=Москва").get_json()
    assert payload["clustering"] == "grid"

"""Caches and compression: gzip, ETags and 304s on the marker data, pages kept per data version."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data

from directory.db.memo import VersionedCache
from directory.domain import search
from directory.domain.models import Technopark
from directory.extensions import db

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def listed(make_technopark: Callable[..., Technopark]) -> None:
    """A profile and enough markers that the marker data is worth compressing."""
    make_technopark(
        slug="kvantorium", name="Кванториум Тест", city="Казань", latitude=55.79, longitude=49.12
    )
    for number in range(20):
        make_technopark(latitude=55.0 + number / 100, longitude=37.0)


@pytest.mark.parametrize("path", ["/", "/map", "/map/markers.json", "/technoparks/kvantorium"])
def test_text_responses_are_gzipped_for_clients_that_accept_it(
    client: FlaskClient, listed: None, path: str
) -> None:
    plain = client.get(path)
    assert "Content-Encoding" not in plain.headers
    packed = client.get(path, headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data)


def test_small_responses_are_sent_as_they_are(client: FlaskClient) -> None:
    health = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in health.headers
    assert health.get_json() == {"status": "ok"}


def test_gzip_is_not_sent_to_a_client_that_refuses_it(client: FlaskClient, listed: None) -> None:
    response = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in response.headers


def test_uncached_pages_are_gzipped_too(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user()
    auth.login()
    response = client.get("/manage/", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Анна Петрова" in gzip.decompress(response.data).decode()


def test_marker_data_is_revalidated_with_its_etag(
    app: Flask, client: FlaskClient, listed: None, make_technopark: Callable[..., Technopark]
) -> None:
    first = client.get("/map/markers.json")
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    again = client.get("/map/markers.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    # Another filter is another document.
    other = client.get("/map/markers.json?city=Москва", headers={"If-None-Match": etag})
    assert other.status_code == 200
    make_technopark(slug="second", name="Второй", latitude=55.0, longitude=37.0)
    changed = client.get("/map/markers.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert len(changed.get_json()["rows"]) == 22


def test_the_gzipped_marker_data_has_its_own_etag(client: FlaskClient, listed: None) -> None:
    plain = client.get("/map/markers.json")
    packed = client.get("/map/markers.json", headers=GZIP)
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert (
        client.get(
            "/map/markers.json", headers={**GZIP, "If-None-Match": packed.headers["ETag"]}
        ).status_code
        == 304
    )


def test_the_map_shell_is_revalidated_too(client: FlaskClient) -> None:
    shell = client.get("/map")
    assert shell.headers["Cache-Control"] == "no-cache"
    assert "script-src" in shell.headers["Content-Security-Policy"]
    assert client.get("/map", headers={"If-None-Match": shell.headers["ETag"]}).status_code == 304


def test_marker_rows_name_their_city_and_host_once(
    app: Flask, client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    from directory.domain.models import Organization

    with app.app_context():
        db.session.add(Organization(slug="technopolis", name="Технополис «Москва»"))
        db.session.commit()
        host_id = db.session.execute(db.select(Organization.id)).scalar_one()
    for number in range(3):
        make_technopark(
            slug=f"park-{number}",
            city="Москва" if number else "Тула",
            latitude=55.0 + number,
            longitude=37.123456789,
            host_organization_id=host_id if number == 2 else None,
        )
    payload = client.get("/map/markers.json").get_json()
    rows = [dict(zip(payload["fields"], row, strict=True)) for row in payload["rows"]]
    assert payload["cities"] == ["Тула", "Москва"]
    assert payload["hosts"] == ["Технополис «Москва»"]
    assert [payload["cities"][row["city"]] for row in rows] == ["Тула", "Москва", "Москва"]
    assert [row["host"] for row in rows] == [None, None, 0]
    assert rows[0]["lon"] == 37.12346


def test_signed_in_people_never_get_the_visitors_cached_page(
    client: FlaskClient, auth: AuthActions, listed: None
) -> None:
    visitor_page = client.get("/").get_data(as_text=True)
    assert "/login" in visitor_page
    auth.create_user()
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert "/manage/" in page and 'action="/logout"' in page
    auth.logout()
    assert 'action="/logout"' not in client.get("/").get_data(as_text=True)


def test_each_language_gets_its_own_cached_page(client: FlaskClient, listed: None) -> None:
    assert "21 технопарк в каталоге" in client.get("/").get_data(as_text=True)
    assert "21 technoparks in the directory" in client.get("/?lang=en").get_data(as_text=True)
    # The cookie now remembers English for this visitor: the same address, another page.
    assert "21 technoparks in the directory" in client.get("/").get_data(as_text=True)
    visitor = client.application.test_client()
    assert "21 технопарк в каталоге" in visitor.get("/").get_data(as_text=True)


def test_counts_follow_every_new_listing(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark()
    assert "1 технопарк в каталоге" in client.get("/").get_data(as_text=True)
    make_technopark()
    assert "2 технопарка в каталоге" in client.get("/").get_data(as_text=True)
    assert client.get("/api/technoparks?near=55.7,37.6").get_json()["without_position"] == 2


def test_the_city_filter_offers_the_busiest_cities_only(
    client: FlaskClient,
    make_technopark: Callable[..., Technopark],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "CITY_CHOICES", 2)
    for city, listed in (("Тула", 3), ("Казань", 2), ("Уфа", 1)):
        for _ in range(listed):
            make_technopark(city=city)
    page = client.get("/").get_data(as_text=True)
    assert "<option>Казань</option>" in page and "<option>Тула</option>" in page
    assert "<option>Уфа</option>" not in page
    # A city the form does not offer is still a filter.
    assert "найден 1 технопарк" in client.get("/?city=уфа").get_data(as_text=True)


def test_the_cache_forgets_older_data_versions() -> None:
    cache = VersionedCache(max_entries=10)
    cache.put(1, "page", "old")
    assert cache.get(1, "page") == "old"
    cache.put(2, "other", "new")
    assert cache.get(1, "page") is None
    assert cache.get(2, "page") is None
    # A slow request that read an older version does not bring its data back.
    cache.put(1, "page", "stale")
    assert cache.get(2, "page") is None and cache.get(1, "page") is None


def test_the_cache_drops_the_least_recently_used() -> None:
    cache = VersionedCache(max_entries=2, max_bytes=100)
    cache.put(1, "a", "A", 10)
    cache.put(1, "b", "B", 10)
    cache.get(1, "a")
    cache.put(1, "c", "C", 10)
    assert cache.get(1, "b") is None
    assert cache.get(1, "a") == "A" and cache.get(1, "c") == "C"
    cache.put(1, "big", "X", 95)
    assert cache.get(1, "big") == "X"
    assert cache.bytes <= 100


def test_the_profile_keeps_its_forms_and_stays_cached_for_visitors(
    client: FlaskClient, listed: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get("/technoparks/kvantorium")
    page = first.get_data(as_text=True)
    # The report form is on the profile, without a token: one would start a session.
    assert '<form method="post" action="/technoparks/kvantorium/report"' in page
    assert "<textarea" in page and 'name="correction"' in page
    assert 'name="csrf_token" value=""' in page
    assert 'href="/technoparks/kvantorium/access"' in page
    assert "Set-Cookie" not in first.headers and client.get_cookie("session") is None

    def not_rendered_again(slug: str) -> None:
        raise AssertionError("the profile was rendered again instead of served from the cache")

    monkeypatch.setattr("directory.web.public.views.published_technopark", not_rendered_again)
    again = client.get("/technoparks/kvantorium")
    assert again.status_code == 200 and again.get_data(as_text=True) == page


def test_a_visitor_with_a_session_gets_the_report_form_with_its_token(
    client: FlaskClient, listed: None
) -> None:
    assert client.get("/csrf-token").get_json()["csrf_token"]
    page = client.get("/technoparks/kvantorium").get_data(as_text=True)
    assert 'name="csrf_token" value=""' not in page
    assert form_data(page, "/technoparks/kvantorium/report")["csrf_token"]
    # Visitors without a session still get the cached page without one.
    visitor = client.application.test_client()
    assert 'name="csrf_token" value=""' in visitor.get("/technoparks/kvantorium").get_data(
        as_text=True
    )

"""The sitemap lists every public page with absolute URLs; robots.txt points to it."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from helpers import seeded_technoparks

from directory.domain.models import Organization, Program, Technopark
from directory.extensions import db

NAMESPACE = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_urls(client: FlaskClient) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ElementTree.fromstring(response.data)
    return [loc.text for loc in root.findall("sm:url/sm:loc", NAMESPACE)]


def test_the_sitemap_lists_every_public_page(
    app: Flask, client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    with app.app_context():
        rows = [
            Organization(slug="host", name="Хозяин"),
            Organization(slug="hidden-host", name="Хозяин черновика"),
            Program(slug="program", name="Программа"),
        ]
        db.session.add_all(rows)
        db.session.commit()
        host_id, hidden_id, program_id = (row.id for row in rows)
    make_technopark(slug="park", host_organization_id=host_id, program_id=program_id)
    make_technopark(slug="draft", published=False, host_organization_id=hidden_id)
    make_technopark(slug="bench", synthetic=True)
    urls = sitemap_urls(client)
    assert urls == [
        "http://localhost/",
        "http://localhost/news",
        "http://localhost/technoparks/park",
        "http://localhost/programs/program",
        "http://localhost/organizations/host",
    ]
    for url in urls:
        assert client.get(url).status_code == 200


def test_profiles_carry_their_last_change(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    made = make_technopark(slug="park")
    text = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"<lastmod>{made.updated_at.date().isoformat()}</lastmod>" in text


def test_the_seeded_sitemap_has_every_profile(seeded_app: Flask, client: FlaskClient) -> None:
    urls = sitemap_urls(client)
    profiles = [url for url in urls if "/technoparks/" in url]
    assert len(profiles) == seeded_technoparks(seeded_app, published_only=True)
    assert len(profiles) >= 51
    assert "http://localhost/technoparks/kvantorium-technopolis-moscow" in profiles
    assert "http://localhost/programs/asi-new-model" in urls


def test_robots_txt_points_to_the_sitemap_and_keeps_out_of_the_workspace(
    client: FlaskClient,
) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /manage/" in lines
    assert "Disallow: /login" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines

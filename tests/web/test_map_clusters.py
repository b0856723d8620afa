"""/map/clusters: what a map view shows, read from cells kept per zoom level."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from directory.domain.map_cells import map_cell
from directory.domain.models import LocationPrecision, Technopark
from directory.extensions import db

RUSSIA = "bbox=19,41,190,82&zoom=3"
# Around the Kremlin, at street level (deeper than the stored cells).
KREMLIN_STREETS = "bbox=37.60,55.745,37.64,55.760&zoom=17"


def clusters(client: FlaskClient, query: str) -> dict:
    response = client.get(f"/map/clusters?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def total(payload: dict) -> int:
    return sum(row[0] for row in payload["clusters"]) + len(payload["rows"])


@pytest.fixture
def moscow_and_kazan(make_technopark: Callable[..., Technopark]) -> None:
    """Three listings in central Moscow, one in Kazan, a draft and one without a position."""
    for number, (latitude, longitude) in enumerate(
        [(55.7520, 37.6175), (55.7530, 37.6200), (55.7540, 37.6220)], start=1
    ):
        make_technopark(
            slug=f"moscow-{number}",
            latitude=latitude,
            longitude=longitude,
            location_precision=LocationPrecision.BUILDING,
        )
    make_technopark(
        slug="kazan",
        city="Казань",
        latitude=55.7963,
        longitude=49.1088,
        location_precision=LocationPrecision.STREET,
    )
    make_technopark(slug="draft", published=False, latitude=55.75, longitude=37.62)
    make_technopark(slug="unplaced")


def test_a_view_of_russia_counts_every_public_placed_listing(
    client: FlaskClient, moscow_and_kazan: None
) -> None:
    payload = clusters(client, RUSSIA)
    assert payload["zoom"] == 3
    assert payload["cluster_fields"][0] == "count" and payload["fields"][0] == "slug"
    assert total(payload) == 4
    # Kazan stands alone; the three Moscow listings are one cluster with their bounds.
    assert [row[0] for row in payload["rows"]] == ["kazan"]
    assert payload["rows"][0][4] == 1  # an address-level point is approximate
    [moscow] = payload["clusters"]
    count, latitude, longitude, south, west, north, east = moscow
    assert count == 3
    assert (south, north) == (55.752, 55.754) and (west, east) == (37.6175, 37.622)
    assert latitude == pytest.approx(55.753) and longitude == pytest.approx(37.61983, abs=1e-4)


def test_street_level_shows_single_listings(client: FlaskClient, moscow_and_kazan: None) -> None:
    payload = clusters(client, KREMLIN_STREETS)
    assert payload["zoom"] == 17
    assert sorted(row[0] for row in payload["rows"]) == ["moscow-1", "moscow-2", "moscow-3"]
    assert payload["clusters"] == []
    assert all(row[4] == 0 for row in payload["rows"])


def test_a_view_reads_only_its_cells(client: FlaskClient, moscow_and_kazan: None) -> None:
    kazan_only = clusters(client, "bbox=48.9,55.7,49.3,55.9&zoom=10")
    assert [row[0] for row in kazan_only["rows"]] == ["kazan"]
    assert kazan_only["clusters"] == []


def test_cells_follow_each_change_of_the_data(
    app: Flask, client: FlaskClient, moscow_and_kazan: None
) -> None:
    assert total(clusters(client, RUSSIA)) == 4
    with app.app_context():
        technopark = db.session.execute(select(Technopark).filter_by(slug="draft")).scalar_one()
        technopark.published = True
        db.session.commit()
    assert total(clusters(client, RUSSIA)) == 5
    with app.app_context():
        # Rebuilt, not added to: every zoom's cells count the five listings once.
        per_zoom = db.session.execute(
            select(map_cell.c.zoom, func.sum(map_cell.c.count)).group_by(map_cell.c.zoom)
        ).all()
        assert len(per_zoom) == 17 and {total for _, total in per_zoom} == {5}


def test_synthetic_records_stay_off_the_public_clusters(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="real", latitude=55.75, longitude=37.62)
    make_technopark(slug="demo-1", synthetic=True, latitude=55.75, longitude=37.62)
    payload = clusters(client, RUSSIA)
    assert [row[0] for row in payload["rows"]] == ["real"]


def test_an_unchanged_view_is_revalidated(client: FlaskClient, moscow_and_kazan: None) -> None:
    first = client.get(f"/map/clusters?{RUSSIA}")
    etag = first.headers["ETag"]
    again = client.get(f"/map/clusters?{RUSSIA}", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_a_view_across_the_180th_meridian(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="anadyr", city="Анадырь", latitude=64.7337, longitude=177.5089)
    make_technopark(slug="east-of-meridian", latitude=65.0, longitude=-175.0)
    payload = clusters(client, "bbox=170,60,190,70&zoom=5")
    assert sorted(row[0] for row in payload["rows"]) == ["anadyr", "east-of-meridian"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("zoom=3", "bbox"),
        ("bbox=1,2,3&zoom=3", "bbox"),
        ("bbox=a,b,c,d&zoom=3", "bbox"),
        ("bbox=nan,41,190,82&zoom=3", "bbox"),
        ("bbox=19,82,190,41&zoom=3", "bbox"),
        ("bbox=19,-100,190,82&zoom=3", "bbox"),
        ("bbox=19,41,190,82", "zoom"),
        ("bbox=19,41,190,82&zoom=-1", "zoom"),
        ("bbox=19,41,190,82&zoom=23", "zoom"),
        ("bbox=19,41,190,82&zoom=1.5", "zoom"),
    ],
)
def test_a_bad_view_is_a_400_naming_the_parameter(
    client: FlaskClient, query: str, parameter: str
) -> None:
    response = client.get(f"/map/clusters?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["parameter"] == parameter

"""The read-only API: JSON lists and profiles, GeoJSON, news, OpenAPI, CORS and errors."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from directory.domain.models import (
    DatePrecision,
    Direction,
    LocationPrecision,
    NewsArticle,
    Technopark,
)
from directory.extensions import db

LIST_FIELDS = {
    "slug",
    "name",
    "city",
    "address",
    "latitude",
    "longitude",
    "directions",
    "age_min",
    "age_max",
    "opening_date",
    "opening_date_precision",
    "host_organization",
    "program",
    "url",
    "network",
    "status",
    "location_precision",
}


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The test's own haversine (mean Earth radius 6371.0088 km)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def schema_validator(client: FlaskClient, name: str) -> Draft202012Validator:
    """A validator for one component schema of the served OpenAPI document."""
    document = client.get("/api/openapi.json").get_json()
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(document))
    return Draft202012Validator(
        {"$ref": f"urn:openapi#/components/schemas/{name}"}, registry=registry
    )


def test_list_items_have_the_documented_fields(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="one", latitude=55.7, longitude=37.6)
    body = client.get("/api/technoparks").get_json()
    assert body["total"] == 1
    assert body["page"] == 1
    assert body["limit"] == 50
    (item,) = body["items"]
    assert set(item) == LIST_FIELDS
    assert item["url"] == "http://localhost/technoparks/one"
    schema_validator(client, "TechnoparkList").validate(body)


def test_near_adds_distance_and_origin(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="far", latitude=59.94, longitude=30.31)
    make_technopark(slug="close", latitude=55.71, longitude=37.72)
    make_technopark(slug="unplaced")
    body = client.get("/api/technoparks?near=55.7101,37.7183").get_json()
    assert [item["slug"] for item in body["items"]] == ["close", "far"]
    for item in body["items"]:
        assert set(item) == LIST_FIELDS | {"distance_km"}
        expected = great_circle_km(55.7101, 37.7183, item["latitude"], item["longitude"])
        assert item["distance_km"] == pytest.approx(expected, abs=0.001)
    assert body["total"] == 2
    assert body["without_position"] == 1
    assert body["origin"] == {"latitude": 55.7101, "longitude": 37.7183}
    schema_validator(client, "TechnoparkList").validate(body)


def test_place_measures_from_the_named_place(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="moscow", latitude=55.71, longitude=37.72)
    make_technopark(slug="chelny", latitude=55.738454, longitude=52.45006)
    body = client.get("/api/technoparks?place=набережные челны").get_json()
    assert [item["slug"] for item in body["items"]] == ["chelny", "moscow"]
    assert body["origin"]["place"] == {"name": "Набережные Челны", "kind": "city", "detail": None}
    assert body["items"][0]["distance_km"] < 5


def test_a_typed_place_wins_over_a_stale_position(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="moscow", latitude=55.71, longitude=37.72)
    make_technopark(slug="chelny", latitude=55.738454, longitude=52.45006)
    body = client.get("/api/technoparks?near=55.71,37.72&place=Набережные Челны").get_json()
    assert [item["slug"] for item in body["items"]] == ["chelny", "moscow"]
    assert body["origin"]["place"]["name"] == "Набережные Челны"


def test_limit_and_page(client: FlaskClient, make_technopark: Callable[..., Technopark]) -> None:
    for number in range(5):
        make_technopark(slug=f"park-{number}", name=f"Парк {number}")
    first = client.get("/api/technoparks?limit=2").get_json()
    third = client.get("/api/technoparks?limit=2&page=3").get_json()
    beyond = client.get("/api/technoparks?limit=2&page=4").get_json()
    assert [item["slug"] for item in first["items"]] == ["park-0", "park-1"]
    assert [item["slug"] for item in third["items"]] == ["park-4"]
    assert beyond["items"] == [] and beyond["total"] == 5
    assert first["pages"] == 3
    assert client.get("/api/technoparks?limit=100000").get_json()["limit"] == 200
    assert client.get("/api/technoparks?limit=" + "9" * 400).get_json()["limit"] == 200


@pytest.mark.parametrize(
    ("day", "precision", "written"),
    [
        (date(2016, 9, 29), DatePrecision.DAY, "2016-09-29"),
        (date(2017, 12, 1), DatePrecision.MONTH, "2017-12"),
        (date(2018, 1, 1), DatePrecision.YEAR, "2018"),
        (None, None, None),
    ],
)
def test_opening_date_is_written_at_its_precision(
    client: FlaskClient,
    make_technopark: Callable[..., Technopark],
    day: date | None,
    precision: DatePrecision | None,
    written: str | None,
) -> None:
    make_technopark(slug="dated", opening_date=day, opening_date_precision=precision)
    (item,) = client.get("/api/technoparks").get_json()["items"]
    assert item["opening_date"] == written
    assert item["opening_date_precision"] == (precision.value if precision else None)


def test_profile_has_contacts_news_and_verification(
    app: Flask, client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(
        slug="profiled",
        address="ул. Примерная, 1",
        phone="+7 000 000-00-00",
        website="https://example.org/",
        email="park@example.org",
        verified_at=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
    )
    with app.app_context():
        park = db.session.query(Technopark).filter_by(slug="profiled").one()
        park.news.append(
            NewsArticle(
                url="https://news.example.org/1",
                title="Открытие",
                outlet="Пример",
                published_on=date(2016, 9, 29),
            )
        )
        db.session.commit()
    response = client.get("/api/technoparks/profiled")
    assert response.status_code == 200
    body = response.get_json()
    assert body["address"] == "ул. Примерная, 1"
    assert body["contacts"] == {
        "phone": "+7 000 000-00-00",
        "website": "https://example.org/",
        "email": "park@example.org",
    }
    assert body["verified_at"].startswith("2026-05-01T12:00:00")
    assert body["news"] == [
        {
            "title": "Открытие",
            "url": "https://news.example.org/1",
            "outlet": "Пример",
            "published_on": "2016-09-29",
        }
    ]
    schema_validator(client, "TechnoparkDetail").validate(body)


@pytest.mark.parametrize(
    "overrides", [{"published": False}, {"synthetic": True}], ids=["draft", "synthetic"]
)
def test_hidden_records_are_404_json_everywhere(
    client: FlaskClient, make_technopark: Callable[..., Technopark], overrides: dict[str, Any]
) -> None:
    make_technopark(slug="hidden", latitude=55.7, longitude=37.6, **overrides)
    response = client.get("/api/technoparks/hidden")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/technoparks").get_json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "limit": 50,
        "pages": 1,
    }
    assert client.get("/api/technoparks.geojson").get_json()["features"] == []
    assert client.get("/technoparks/hidden").status_code == 404


def test_unknown_slug_and_endpoint_are_404_json(client: FlaskClient) -> None:
    for path in ("/api/technoparks/no-such-park", "/api/technoparks/a%00b", "/api/no-such"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.is_json
        assert set(response.get_json()["error"]) == {"code", "message"}
    assert client.get("/technoparks/a%00b").status_code == 404


def test_geojson_is_rfc7946_points_with_positions_only(
    client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(
        slug="placed",
        name="Кванториум",
        latitude=55.710124,
        longitude=37.718253,
        location_precision=LocationPrecision.STREET,
    )
    make_technopark(slug="other-placed", name="Альтаир", latitude=59.9, longitude=30.3)
    make_technopark(slug="unplaced", name="Кванториум без точки")
    response = client.get("/api/technoparks.geojson?q=кванториум")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    (feature,) = body["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [37.718253, 55.710124]}
    assert feature["properties"] == {
        "slug": "placed",
        "name": "Кванториум",
        "city": "Москва",
        "host_organization": None,
        "url": "http://localhost/technoparks/placed",
        "location_precision": "street",
    }
    everything = client.get("/api/technoparks.geojson").get_json()
    assert len(everything["features"]) == 2
    schema_validator(client, "FeatureCollection").validate(everything)
    near = client.get("/api/technoparks.geojson?near=55.7,37.7&radius_km=100").get_json()
    assert [feature["properties"]["slug"] for feature in near["features"]] == ["placed"]


def test_news_newest_first_without_drafts(
    app: Flask, client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="public")
    make_technopark(slug="draft", published=False)
    with app.app_context():
        public = db.session.query(Technopark).filter_by(slug="public").one()
        draft = db.session.query(Technopark).filter_by(slug="draft").one()
        old = NewsArticle(url="https://e.org/old", title="Old", published_on=date(2016, 1, 1))
        new = NewsArticle(url="https://e.org/new", title="New", published_on=date(2020, 1, 1))
        secret = NewsArticle(
            url="https://e.org/draft", title="Draft", published_on=date(2021, 1, 1)
        )
        undated = NewsArticle(url="https://e.org/undated", title="Undated")
        old.technoparks = [public]
        new.technoparks = [public, draft]
        secret.technoparks = [draft]
        undated.technoparks = [public]
        db.session.add_all([old, new, secret, undated])
        db.session.commit()
    body = client.get("/api/news").get_json()
    assert [item["title"] for item in body["items"]] == ["New", "Old", "Undated"]
    assert [park["slug"] for park in body["items"][0]["technoparks"]] == ["public"]
    schema_validator(client, "NewsList").validate(body)


def test_openapi_document_validates_and_describes_everything(client: FlaskClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    listing = document["paths"]["/api/technoparks"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert names == {
        "q",
        "city",
        "direction",
        "age",
        "status",
        "near",
        "place",
        "radius_km",
        "page",
        "limit",
    }
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for path in ("/api/technoparks", "/api/technoparks.geojson"):
        bad = document["paths"][path]["get"]["responses"]["400"]
        assert bad["content"]["application/json"]["schema"] == error_body
    for path in document["paths"].values():
        assert set(path) == {"get"}
        for status in ("405", "503"):
            answer = path["get"]["responses"][status]
            assert answer["content"]["application/json"]["schema"] == error_body
    error_schema = document["components"]["schemas"]["ErrorDetail"]
    assert error_schema["required"] == ["code", "message"]


def test_the_document_lists_exactly_the_api_routes(app: Flask, client: FlaskClient) -> None:
    """Every rule under /api is documented, and every documented path is a rule."""
    document = client.get("/api/openapi.json").get_json()
    documented = set(document["paths"])
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api.unknown":
            routed.add(rule.rule.replace("<slug>", "{slug}"))
    assert routed == documented


def test_the_direction_parameter_lists_the_stored_directions(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        db.session.add_all(
            [
                Direction(slug="robotics", name="Робототехника", name_en="Robotics"),
                Direction(slug="bio", name="Биология", name_en="Biology"),
            ]
        )
        db.session.commit()
    document = client.get("/api/openapi.json").get_json()
    (direction,) = [
        parameter
        for parameter in document["paths"]["/api/technoparks"]["get"]["parameters"]
        if parameter["name"] == "direction"
    ]
    assert direction["schema"]["enum"] == ["bio", "robotics"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/technoparks",
        "/api/technoparks?near=abc",
        "/api/technoparks.geojson",
        "/api/news",
        "/api/openapi.json",
        "/api/technoparks/no-such-park",
    ],
)
def test_any_origin_may_read(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Origin": "https://other.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_writes_are_refused_as_json_not_csrf_pages(client: FlaskClient) -> None:
    response = client.post("/api/technoparks", json={"name": "x"})
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_api_messages_are_english_for_a_russian_visitor(client: FlaskClient) -> None:
    response = client.get("/api/technoparks?age=abc", headers={"Accept-Language": "ru"})
    assert response.get_json()["error"]["message"].startswith("The age (age)")


def test_list_loads_related_rows_without_a_query_per_row(
    app: Flask, client: FlaskClient, make_technopark: Callable[..., Technopark]
) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def remember(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(statement)

    def statements_per_request(path: str, rows: int) -> int:
        statements.clear()
        assert len(client.get(path).get_json()["items"]) == rows
        return len(statements)

    with app.app_context():
        engine = db.engine
    for number in range(3):
        make_technopark(slug=f"p{number}", latitude=55 + number / 1000, longitude=37.0)
    event.listen(engine, "before_cursor_execute", remember)
    try:
        few = {
            path: statements_per_request(path, 3)
            for path in ("/api/technoparks?lang=ru", "/api/technoparks?near=55,37&lang=ru")
        }
        for number in range(3, 12):
            make_technopark(slug=f"p{number}", latitude=55 + number / 1000, longitude=37.0)
        # New paths, so no cached answer hides the work.
        many = {path: statements_per_request(path.replace("ru", "en"), 12) for path in few}
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    # Four times the rows (all within the first search box), the same number of statements:
    # hosts, programmes and directions
    # are loaded once per page, never once per row.
    assert many == few
    assert max(few.values()) <= 12

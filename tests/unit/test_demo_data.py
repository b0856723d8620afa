"""`flask demo-data`: synthetic benchmark records, refused beside real ones, never public."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from directory import create_app
from directory.data.demo_data import demo_cities, russian_name
from directory.db.data_version import current_data_version
from directory.domain.geo import Point, haversine_km
from directory.domain.models import (
    DatePrecision,
    Direction,
    NewsArticle,
    Organization,
    Program,
    Technopark,
    technopark_direction,
)
from directory.domain.search import searchable_text
from directory.extensions import db

PHONE = re.compile(r"\+7 \(\d{3}\) \d{3}-\d{2}-\d{2}")
CYRILLIC_NAME = re.compile(r"[А-ЯЁ][а-яё]*(?:[ -][А-Яа-яЁё]+)*")


def technoparks(app: Flask) -> list[Technopark]:
    with app.app_context():
        rows = db.session.execute(
            select(Technopark).options(selectinload(Technopark.directions)).order_by(Technopark.id)
        ).scalars()
        found = list(rows)
        db.session.expunge_all()
        return found


def test_an_empty_database_gets_exactly_the_synthetic_records_asked_for(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(args=["demo-data", "--count", "300"])
    assert result.exit_code == 0, result.output
    assert "300 synthetic technoparks" in result.output
    rows = technoparks(app)
    assert len(rows) == 300
    assert all(row.synthetic and row.published for row in rows)
    assert len({row.slug for row in rows}) == 300
    with app.app_context():
        # The directions came from seed_data/ and every record has one to four of them.
        assert db.session.execute(select(func.count()).select_from(Direction)).scalar_one() > 5
        links = db.session.execute(
            select(func.count()).select_from(technopark_direction)
        ).scalar_one()
    assert 300 <= links <= 1200
    assert all(1 <= len(row.directions) <= 4 for row in rows)


def test_synthetic_records_look_like_real_ones(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["demo-data", "--count", "200"]).exit_code == 0
    rows = technoparks(app)
    known_cities = {city.name for city in demo_cities()}
    for row in rows:
        assert row.city in known_cities and CYRILLIC_NAME.fullmatch(row.city), row.city
        assert PHONE.fullmatch(row.phone), row.phone
        assert 41 < row.latitude < 82 and (19 < row.longitude or row.longitude < -168)
        assert row.age_min <= row.age_max
        assert date(2015, 1, 1) <= row.opening_date < date(2025, 1, 1)
        if row.opening_date_precision == DatePrecision.MONTH:
            assert row.opening_date.day == 1
        if row.opening_date_precision == DatePrecision.YEAR:
            assert (row.opening_date.month, row.opening_date.day) == (1, 1)
        assert row.email.endswith(".example") and row.website.endswith(".example")
    # Cities are drawn by population: Moscow, with about a tenth of the people, leads.
    in_moscow = sum(row.city == "Москва" for row in rows)
    assert in_moscow == max(sum(row.city == city for row in rows) for city in known_cities)
    assert len({row.opening_date_precision for row in rows}) == 3
    assert len({row.status for row in rows}) >= 2


def test_search_words_are_those_the_search_module_would_store(
    app: Flask, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["demo-data", "--count", "50"]).exit_code == 0
    with app.app_context():
        for row in db.session.execute(select(Technopark)).scalars():
            assert row.search_text == searchable_text(row)


def test_points_lie_a_few_kilometres_from_their_city(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["demo-data", "--count", "200"]).exit_code == 0
    for row in technoparks(app):
        # Some names belong to several towns: the point is near one of them, 12 km at most.
        assert (
            min(
                haversine_km(
                    Point(row.latitude, row.longitude), Point(city.latitude, city.longitude)
                )
                for city in demo_cities()
                if city.name == row.city
            )
            <= 12.01
        )


def test_a_database_with_real_records_is_refused(
    app: Flask, runner: FlaskCliRunner, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="kvantorium-tula", name="Кванториум Тула", city="Тула")
    result = runner.invoke(args=["demo-data", "--count", "10"])
    assert result.exit_code == 1
    assert "holds 1 real technopark" in result.output
    assert "--force" in result.output
    assert [row.slug for row in technoparks(app)] == ["kvantorium-tula"]


def test_force_adds_them_beside_real_records_and_keeps_those(
    app: Flask, runner: FlaskCliRunner, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="kvantorium-tula", name="Кванториум Тула", city="Тула")
    result = runner.invoke(args=["demo-data", "--count", "10", "--force"])
    assert result.exit_code == 0, result.output
    assert "beside 1 real ones" in result.output
    rows = technoparks(app)
    assert len(rows) == 11
    assert [row.slug for row in rows if not row.synthetic] == ["kvantorium-tula"]


def test_running_again_replaces_the_synthetic_records(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["demo-data", "--count", "40"]).exit_code == 0
    assert runner.invoke(args=["demo-data", "--count", "25"]).exit_code == 0
    assert len(technoparks(app)) == 25
    # A new record after the bulk insert gets an id of its own, on PostgreSQL too.
    with app.app_context():
        db.session.add(Technopark(slug="later", name="Позже", city="Тула", search_text=""))
        db.session.commit()


def test_filling_raises_the_data_version(app: Flask, runner: FlaskCliRunner) -> None:
    with app.app_context():
        before = current_data_version()
    assert runner.invoke(args=["demo-data", "--count", "5"]).exit_code == 0
    with app.app_context():
        assert current_data_version() > before


def test_synthetic_records_are_never_public(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["demo-data", "--count", "30"]).exit_code == 0
    rows = technoparks(app)
    slug, city = rows[0].slug, rows[0].city
    with app.app_context():
        synthetic = db.session.get(Technopark, rows[0].id)
        article = NewsArticle(url="https://example.org/news/1", title="Синтетическая новость")
        article.technoparks.append(synthetic)
        synthetic.host_organization = Organization(slug="host", name="Хозяин")
        synthetic.program = Program(slug="programme", name="Программа")
        db.session.add(article)
        db.session.commit()
    for path in ("/organizations/host", "/programs/programme"):
        page = client.get(path).get_data(as_text=True)
        assert slug not in page
        assert "Технопарков пока нет." in page
    page = client.get("/").get_data(as_text=True)
    assert "0 технопарков" in page
    assert slug not in page
    assert client.get(f"/?q={city}").get_data(as_text=True).count(slug) == 0
    assert client.get(f"/technoparks/{slug}").status_code == 404
    assert client.get(f"/api/technoparks/{slug}").status_code == 404
    assert client.get("/api/technoparks").get_json()["total"] == 0
    assert client.get(f"/api/technoparks?place={city}").get_json()["items"] == []
    assert client.get("/api/technoparks.geojson").get_json()["features"] == []
    assert client.get("/map/markers.json").get_json()["rows"] == []
    assert "Синтетическая новость" not in client.get("/news").get_data(as_text=True)
    assert client.get("/api/news").get_json()["items"] == []


def test_only_a_benchmark_server_shows_them(tmp_path, runner: FlaskCliRunner) -> None:
    """bench/wsgi.py's setting: the benchmark measures the pages on these records."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite'}",
            "SHOW_SYNTHETIC_RECORDS": True,
        }
    )
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["demo-data", "--count", "20"]).exit_code == 0
    slug = technoparks(app)[0].slug
    client = app.test_client()
    assert client.get("/api/technoparks").get_json()["total"] == 20
    assert len(client.get("/map/markers.json").get_json()["rows"]) == 20
    assert client.get(f"/technoparks/{slug}").status_code == 200
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("Moscow", "Москва"),
        ("Saint Petersburg", "Санкт-Петербург"),
        ("Kazan", "Казань"),
        ("Rostov-on-Don", "Ростов-на-Дону"),
        ("Nizhniy Novgorod", "Нижний Новгород"),
        ("Omsk", "Омск"),
        ("Cherepovets", "Череповец"),
        ("Naberezhnyye Chelny", "Набережные Челны"),
        ("Orël", "Орёл"),
    ],
)
def test_cities_are_named_in_russian(english: str, russian: str) -> None:
    names = {city.latin: city.name for city in demo_cities()}
    assert names[english] == russian


def test_districts_of_big_cities_are_not_cities_of_their_own() -> None:
    names = {city.name for city in demo_cities()}
    assert {"Строгино", "Люблино", "Ясенево"}.isdisjoint(names)
    assert {"Химки", "Подольск", "Зеленоград"} <= names


def test_a_name_without_russian_spelling_is_none() -> None:
    assert russian_name({"name": "Nowhere", "alternatenames": ["Nowhere", "Нігде"]}) is None

"""The database itself rejects rows that break the directory's rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from directory.domain.models import DatePrecision, NewsArticle, Technopark
from directory.extensions import db


def insert_technopark(**overrides: Any) -> None:
    values: dict[str, Any] = {"slug": "test", "name": "Тест", "city": "Москва"}
    values.update(overrides)
    db.session.add(Technopark(**values))
    db.session.commit()


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"latitude": 90.5, "longitude": 37.0}, id="latitude-above-90"),
        pytest.param({"latitude": -91, "longitude": 37.0}, id="latitude-below-minus-90"),
        pytest.param({"latitude": 55.0, "longitude": 180.1}, id="longitude-above-180"),
        pytest.param({"latitude": 55.0, "longitude": -181}, id="longitude-below-minus-180"),
        pytest.param({"latitude": 55.0}, id="latitude-without-longitude"),
        pytest.param({"age_min": 14, "age_max": 12}, id="ages-reversed"),
        pytest.param({"age_min": -1}, id="negative-age"),
        pytest.param({"opening_date": date(2016, 9, 29)}, id="date-without-precision"),
        pytest.param({"host_organization_id": 9999}, id="missing-host"),
        pytest.param({"program_id": 9999}, id="missing-programme"),
        pytest.param({"name": None}, id="no-name"),
        pytest.param({"city": None}, id="no-city"),
    ],
)
def test_database_rejects_bad_technopark(app: Flask, overrides: dict[str, Any]) -> None:
    with app.app_context():
        with pytest.raises(IntegrityError):
            insert_technopark(**overrides)
        db.session.rollback()
        assert db.session.execute(select(Technopark)).first() is None


@pytest.mark.parametrize(
    ("column", "value"), [("status", "maybe"), ("location_precision", "nearby")]
)
def test_database_rejects_unknown_choices(app: Flask, column: str, value: str) -> None:
    # Raw SQL, because the ORM would refuse the value before the database sees it.
    statement = text(
        "INSERT INTO technopark (slug, name, city, status, location_precision, published,"
        " synthetic, search_text, version, created_at, updated_at)"
        " VALUES ('bad', 'Тест', 'Москва', :status, :precision, false, false, '', 1,"
        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    values = {"status": "open", "precision": "unknown"}
    values["status" if column == "status" else "precision"] = value
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(statement, values)
            db.session.commit()


def test_valid_technopark_is_stored(app: Flask) -> None:
    with app.app_context():
        insert_technopark(
            latitude=55.7,
            longitude=37.7,
            age_min=13,
            age_max=17,
            opening_date=date(2016, 9, 29),
            opening_date_precision=DatePrecision.DAY,
        )
        stored = db.session.execute(select(Technopark)).scalar_one()
        assert (stored.latitude, stored.age_max, stored.version) == (55.7, 17, 1)


def test_slugs_are_unique(app: Flask, make_technopark: Callable[..., Technopark]) -> None:
    make_technopark(slug="same")
    with app.app_context():
        with pytest.raises(IntegrityError):
            insert_technopark(slug="same")


def test_news_urls_are_unique(app: Flask) -> None:
    with app.app_context():
        db.session.add(NewsArticle(url="https://example.org/a", title="A"))
        db.session.commit()
        db.session.add(NewsArticle(url="https://example.org/a", title="B"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_every_save_raises_the_version(
    app: Flask, make_technopark: Callable[..., Technopark]
) -> None:
    made = make_technopark()
    with app.app_context():
        technopark = db.session.get(Technopark, made.id)
        technopark.name = "Новое имя"
        db.session.commit()
        assert technopark.version == 2

"""Text search through the trigram index finds exactly what reading every row would find."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, select, text

from directory.db.text_index import FTS_TABLE, TRIGRAM_INDEX
from directory.domain.models import Technopark
from directory.domain.search import Filters, search_technoparks
from directory.extensions import db

NAMES = {
    "kvantorium": "Кванториум «Орбита»",
    "it-cube": "IT-куб Казань",
    "yolka": "Технопарк «Ёлка» 3D",
    "percent": "Центр 100% роботов",
    "quote": 'Клуб "Робо_Т"',
}


@pytest.fixture
def parks(make_technopark: Callable[..., Technopark]) -> None:
    for slug, name in NAMES.items():
        make_technopark(slug=slug, name=name, city="Казань" if slug == "it-cube" else "Тула")


def found(app: Flask, words: str) -> set[str]:
    with app.test_request_context():
        result = search_technoparks(Filters(text=words))
        return {technopark.slug for technopark in result.technoparks}


def scanned(app: Flask, words: str) -> set[str]:
    """What LIKE on every row finds: the meaning the index must keep."""
    from directory.domain.text import fold

    with app.app_context():
        rows = db.session.execute(select(Technopark.slug, Technopark.search_text)).all()
    return {slug for slug, searchable in rows if all(w in searchable for w in fold(words).split())}


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("вантор", {"kvantorium"}),  # inside a word
        ("КВАНТОРИУМ орбита", {"kvantorium"}),  # case, and every word
        ("кванториум казань", set()),  # every word must match the same record
        ("елка", {"yolka"}),  # ё is е
        ("ёлка", {"yolka"}),
        ("3d", {"yolka"}),  # shorter than a trigram
        ("it куб", {"it-cube"}),
        ("100%", {"percent"}),  # LIKE's wildcards are plain characters
        ("%", {"percent"}),
        ("_т", {"quote"}),
        ('"робо', {"quote"}),  # a quote does not end the FTS phrase
        ("тула", {"kvantorium", "yolka", "percent", "quote"}),
        ("ула", {"kvantorium", "yolka", "percent", "quote"}),
        ("нигде", set()),
    ],
)
def test_the_index_finds_what_a_full_scan_finds(
    app: Flask, parks: None, words: str, expected: set[str]
) -> None:
    assert scanned(app, words) == expected
    assert found(app, words) == expected


def test_an_edit_and_a_removal_reach_the_index(app: Flask, parks: None) -> None:
    from directory.domain.search import refresh_search_text

    with app.app_context():
        technopark = db.session.execute(
            select(Technopark).filter_by(slug="kvantorium")
        ).scalar_one()
        technopark.name = "Инженерный центр"
        refresh_search_text(technopark)
        db.session.commit()
    assert found(app, "орбита") == set()
    assert found(app, "инженерный") == {"kvantorium"}
    with app.app_context():
        db.session.delete(
            db.session.execute(select(Technopark).filter_by(slug="yolka")).scalar_one()
        )
        db.session.commit()
    assert found(app, "елка") == set()


def test_the_search_page_uses_the_index(client: FlaskClient, parks: None) -> None:
    page = client.get("/?q=ОРБИТ").get_data(as_text=True)
    assert "Кванториум «Орбита»" in page
    assert "IT-куб Казань" not in page


def test_the_index_exists_on_this_database(app: Flask) -> None:
    with app.app_context():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite":
            assert FTS_TABLE in inspect(connection).get_table_names()
            triggers = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            assert {f"{FTS_TABLE}_insert", f"{FTS_TABLE}_update", f"{FTS_TABLE}_delete"} <= set(
                triggers
            )
        else:
            indexes = {index["name"] for index in inspect(connection).get_indexes("technopark")}
            assert TRIGRAM_INDEX in indexes

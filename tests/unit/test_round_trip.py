"""Export → import into an empty database → export gives the same file, byte for byte."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from helpers import seeded_technoparks
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from directory import create_app
from directory.data.exchange.csv_format import guard_formula, read_csv, unguard_formula, write_csv
from directory.domain.models import (
    DatePrecision,
    Direction,
    LocationPrecision,
    NewsArticle,
    Organization,
    Program,
    Status,
    Technopark,
)
from directory.extensions import db

# Text a spreadsheet, a template engine or a careless quote would break.
HOSTILE = "Кавычки \"двойные\", 'одинарные', запятые; {{ 7*7 }} 🚀 \u200fעברית\u200f"


def add_hostile_record(app: Flask) -> None:
    """A published record with every field set, each text made to break an export."""
    with app.app_context():
        robotics = db.session.execute(select(Direction).filter_by(slug="robotics")).scalar_one()
        seed_article = db.session.execute(select(NewsArticle)).scalars().first()
        technopark = Technopark(
            slug="hostile-text",
            name='=HYPERLINK("https://evil.example","click") ' + HOSTILE,
            network="+SUM(1,2) сеть",
            host_organization=Organization(
                slug="hostile-host",
                name="-2+3 «Хозяин», " + HOSTILE,
                website='https://host.example/?a=1,2&b="x"',
            ),
            program=Program(
                slug="hostile-program",
                name="@SUM(A1) программа\nвторая строка",
                url="https://program.example/x;y=1",
            ),
            opening_date=date(2017, 12, 1),
            opening_date_precision=DatePrecision.MONTH,
            status=Status.CLOSED,
            city='Город, "в кавычках"\nвторая строка',
            district="\u200fрайон с RTL-меткой\u200f",
            address="ул. «Тест», д. 1\r\nкорп. 2, =cmd",
            latitude=-33.86882,
            longitude=-151.209295,
            location_precision=LocationPrecision.BUILDING,
            location_note="'=уже с апострофом " + HOSTILE,
            age_min=7,
            age_max=16,
            website='https://example.org/путь?q="1",2',
            phone="+7 (495) 123-45-67",
            email="=cmd@example.org",
            description="=cmd|' /C calc'!A0\n\n" + HOSTILE + "\n{% raw %}{{ x }}",
            sources='@источник, "цитата"\n- пункт списка\r\n+ ещё',
            published=True,
            verified_at=datetime(2024, 5, 17, 9, 30, 15, 123456, tzinfo=UTC),
            directions=[
                robotics,
                Direction(slug="hostile-direction", name="Враждебное", name_en="Hostile"),
            ],
            news=[
                seed_article,
                NewsArticle(url="https://news.example/a?x=1;y=2", title="Заголовок"),
                NewsArticle(url="https://news.example/=b,c", title=None),
            ],
        )
        db.session.add(technopark)
        db.session.commit()


@pytest.fixture
def empty_app(fresh_database_url: str) -> Flask:
    """A second app on its own empty database, with the schema and nothing else."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": fresh_database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("format_name", ["csv", "json"])
def test_export_import_export_is_lossless(
    seeded_app: Flask,
    runner: FlaskCliRunner,
    empty_app: Flask,
    tmp_path: Path,
    format_name: str,
) -> None:
    add_hostile_record(seeded_app)
    first, second = tmp_path / f"first.{format_name}", tmp_path / f"second.{format_name}"
    result = runner.invoke(args=["export", "--format", format_name, "-o", str(first)])
    assert result.exit_code == 0, result.output

    other = empty_app.test_cli_runner()
    result = other.invoke(args=["import", str(first)])
    assert result.exit_code == 0, result.output
    # Every seeded record plus the hostile one.
    records = seeded_technoparks(seeded_app, published_only=False) + 1
    assert f"created: {records}\nupdated: 0\nunchanged: 0" in result.output
    result = other.invoke(args=["export", "--format", format_name, "-o", str(second)])
    assert result.exit_code == 0, result.output

    assert second.read_bytes() == first.read_bytes()
    with empty_app.app_context():
        hostile = db.session.execute(select(Technopark).filter_by(slug="hostile-text")).scalar_one()
        assert hostile.name.startswith('=HYPERLINK("https://evil.example"')
        assert hostile.email == "=cmd@example.org"
        assert hostile.location_note.startswith("'=уже")
        assert hostile.address == "ул. «Тест», д. 1\r\nкорп. 2, =cmd"
        assert hostile.verified_at.replace(tzinfo=UTC) == datetime(
            2024, 5, 17, 9, 30, 15, 123456, tzinfo=UTC
        )


def test_the_csv_guards_formulas_and_keeps_the_text_readable(
    seeded_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    add_hostile_record(seeded_app)
    target = tmp_path / "export.csv"
    assert runner.invoke(args=["export", "-o", str(target)]).exit_code == 0
    text = target.read_bytes().decode("utf-8")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text[1:], newline=""))}
    hostile = rows["hostile-text"]
    assert hostile["name"].startswith("'=HYPERLINK(")
    assert hostile["network"].startswith("'+SUM(")
    assert hostile["host_organization_name"].startswith("'-2+3")
    assert hostile["program_name"].startswith("'@SUM(A1)")
    assert hostile["email"] == "'=cmd@example.org"
    assert hostile["location_note"].startswith("''=уже")
    assert hostile["latitude"] == "-33.86882"
    assert "🚀" in hostile["description"] and "{{ 7*7 }}" in hostile["description"]
    # Every other cell a spreadsheet would run is guarded too.
    for row in rows.values():
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
            assert not value.startswith("-") or value.replace(".", "").lstrip("-").isdigit()


@given(st.text())
def test_the_formula_guard_is_undone_exactly(text: str) -> None:
    assert unguard_formula(guard_formula(text)) == text
    assert not guard_formula(text).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(
    st.lists(
        st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00")),
        min_size=1,
    )
)
def test_any_text_survives_a_csv_cell(texts: list[str]) -> None:
    columns = ["slug", "name", "description"]
    records = [
        {"slug": str(number), "name": text, "description": text[::-1]}
        for number, text in enumerate(texts)
    ]
    source = read_csv(write_csv(records, columns))
    assert source.errors == []
    assert [row.cells for row in source.rows] == records


def test_json_export_is_stable_and_readable(
    seeded_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    add_hostile_record(seeded_app)
    outputs = []
    for name in ("one.json", "two.json"):
        target = tmp_path / name
        assert runner.invoke(args=["export", "--format", "json", "-o", str(target)]).exit_code == 0
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode("utf-8")
    assert "Кавычки" in text and "🚀" in text  # letters as they are, not \u escapes
    records = seeded_technoparks(seeded_app, published_only=False) + 1  # with the hostile one
    assert len(json.loads(text)["technoparks"]) == records

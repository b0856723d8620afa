"""Exports: the complete command-line export and the public downloads, in CSV, JSON and GeoJSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import seeded_technoparks
from sqlalchemy import select

from directory.data.exchange.columns import COLUMNS
from directory.domain.models import (
    DatePrecision,
    Direction,
    LocationPrecision,
    NewsArticle,
    Organization,
    Program,
    Technopark,
)
from directory.extensions import db

BOM = "\ufeff"


def export(runner: FlaskCliRunner, tmp_path: Path, *options: str) -> bytes:
    """Run `flask export` into a file and return its bytes."""
    target = tmp_path / "export.out"
    result = runner.invoke(args=["export", *options, "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.fixture
def park_with_everything(app: Flask, make_technopark: Callable[..., Technopark]) -> None:
    """A published technopark with a host, a programme, two directions and a news article."""
    with app.app_context():
        host = Organization(slug="host", name="Хозяин", website="https://host.example")
        program = Program(slug="program", name="Программа", url="https://program.example")
        directions = [
            Direction(slug="robotics", name="Робототехника", name_en="Robotics"),
            Direction(slug="aero", name="Аэро", name_en="Aero"),
        ]
        article = NewsArticle(url="https://news.example/1", title="Новость")
        technopark = Technopark(
            slug="full",
            name="Полный технопарк",
            city="Тула",
            host_organization=host,
            program=program,
            directions=directions,
            news=[article],
            opening_date=date(2017, 12, 1),
            opening_date_precision=DatePrecision.MONTH,
            latitude=54.19,
            longitude=37.61,
            location_precision=LocationPrecision.BUILDING,
            age_min=7,
            age_max=18,
            phone="+7 (487) 123-45-67",
            published=True,
            verified_at=datetime(2024, 5, 17, 9, 30, tzinfo=UTC),
        )
        db.session.add(technopark)
        db.session.commit()


def test_the_cli_export_is_complete_and_ordered_by_slug(
    runner: FlaskCliRunner,
    tmp_path: Path,
    make_technopark: Callable[..., Technopark],
    park_with_everything: None,
) -> None:
    make_technopark(slug="b-draft", name="Черновик", published=False)
    make_technopark(slug="a-synthetic", name="Синтетика", synthetic=True)
    make_technopark(slug="c-open", name="Открытый")
    rows = csv_rows(export(runner, tmp_path, "--format", "csv"))
    assert [row["slug"] for row in rows] == ["b-draft", "c-open", "full"]
    assert list(rows[0]) == list(COLUMNS)
    draft, _open, full = rows
    assert draft["published"] == "false"
    assert full["published"] == "true"
    assert full["host_organization_slug"] == "host"
    assert full["host_organization_name"] == "Хозяин"
    assert full["host_organization_website"] == "https://host.example"
    assert full["program_slug"] == "program"
    assert full["program_name"] == "Программа"
    assert full["program_url"] == "https://program.example"
    assert full["opening_date"] == "2017-12"
    assert full["directions"] == "aero; robotics"
    assert full["news_urls"] == "https://news.example/1"
    assert full["latitude"] == "54.19"
    assert full["longitude"] == "37.61"
    assert full["location_precision"] == "building"
    assert full["verified_at"] == "2024-05-17T09:30:00+00:00"
    # A phone number starts with + and is guarded against spreadsheet formulas.
    assert full["phone"] == "'+7 (487) 123-45-67"
    assert draft["opening_date"] == ""
    assert draft["verified_at"] == ""


def test_synthetic_records_only_on_request(
    runner: FlaskCliRunner, tmp_path: Path, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="real")
    make_technopark(slug="bench", synthetic=True)
    help_text = runner.invoke(args=["export", "--help"]).output
    assert "synthetic" in help_text.lower()
    assert "--include-synthetic" in help_text
    document = json.loads(export(runner, tmp_path, "--format", "json", "--include-synthetic"))
    marked = {record["slug"]: record["synthetic"] for record in document["technoparks"]}
    assert marked == {"bench": True, "real": False}


@pytest.mark.parametrize(
    ("opening_date", "precision", "written"),
    [
        (date(2016, 9, 29), DatePrecision.DAY, "2016-09-29"),
        (date(2017, 12, 1), DatePrecision.MONTH, "2017-12"),
        (date(2018, 1, 1), DatePrecision.YEAR, "2018"),
    ],
)
def test_opening_dates_keep_their_precision(
    runner: FlaskCliRunner,
    tmp_path: Path,
    make_technopark: Callable[..., Technopark],
    opening_date: date,
    precision: DatePrecision,
    written: str,
) -> None:
    make_technopark(opening_date=opening_date, opening_date_precision=precision)
    document = json.loads(export(runner, tmp_path, "--format", "json"))
    assert document["technoparks"][0]["opening_date"] == written


def test_json_has_typed_values_and_lists(
    runner: FlaskCliRunner, tmp_path: Path, park_with_everything: None
) -> None:
    record = json.loads(export(runner, tmp_path, "--format", "json"))["technoparks"][0]
    assert list(record) == list(COLUMNS)
    assert record["directions"] == ["aero", "robotics"]
    assert record["news_urls"] == ["https://news.example/1"]
    assert record["latitude"] == 54.19
    assert record["age_min"] == 7
    assert record["published"] is True
    assert record["district"] is None
    # JSON is not opened by spreadsheets: no apostrophe guard.
    assert record["phone"] == "+7 (487) 123-45-67"


def test_geojson_points_are_longitude_first_and_unplaced_records_stay(
    runner: FlaskCliRunner,
    tmp_path: Path,
    make_technopark: Callable[..., Technopark],
    park_with_everything: None,
) -> None:
    make_technopark(slug="unplaced", published=False)
    document = json.loads(export(runner, tmp_path, "--format", "geojson"))
    assert document["type"] == "FeatureCollection"
    features = {feature["id"]: feature for feature in document["features"]}
    assert features["full"]["geometry"] == {"type": "Point", "coordinates": [37.61, 54.19]}
    assert features["full"]["properties"]["name"] == "Полный технопарк"
    assert "latitude" not in features["full"]["properties"]
    assert features["unplaced"]["type"] == "Feature"
    assert features["unplaced"]["geometry"] is None


def test_export_goes_to_stdout_without_a_file(
    runner: FlaskCliRunner, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="only")
    result = runner.invoke(args=["export", "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout_bytes.startswith(BOM.encode("utf-8") + b"slug,name,")
    assert b"\r\nonly," in result.stdout_bytes


def test_csv_quotes_commas_quotes_and_newlines(
    runner: FlaskCliRunner, tmp_path: Path, make_technopark: Callable[..., Technopark]
) -> None:
    name = 'Парк «Ёлка», "кавычки"\nвторая строка'
    make_technopark(slug="quoted", name=name)
    data = export(runner, tmp_path, "--format", "csv")
    assert '"Парк «Ёлка», ""кавычки""\nвторая строка"'.encode() in data
    assert csv_rows(data)[0]["name"] == name


@pytest.mark.parametrize(
    ("stored", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+7 495", "'+7 495"),
        ("-minus", "'-minus"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'=already", "''=already"),
        ("'plain", "'plain"),
        ("plain = text", "plain = text"),
    ],
)
def test_formula_cells_get_an_apostrophe(
    runner: FlaskCliRunner,
    tmp_path: Path,
    make_technopark: Callable[..., Technopark],
    stored: str,
    written: str,
) -> None:
    make_technopark(slug="formula", description=stored)
    assert csv_rows(export(runner, tmp_path, "--format", "csv"))[0]["description"] == written


def test_negative_coordinates_are_numbers_not_guarded(
    runner: FlaskCliRunner, tmp_path: Path, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="south", latitude=-33.86882, longitude=-151.20929)
    row = csv_rows(export(runner, tmp_path, "--format", "csv"))[0]
    assert (row["latitude"], row["longitude"]) == ("-33.86882", "-151.20929")


# ---------------------------------------------------------------- public downloads


@pytest.fixture
def public_and_hidden(make_technopark: Callable[..., Technopark]) -> None:
    make_technopark(slug="public-park", name="Публичный", latitude=55.7, longitude=37.6)
    make_technopark(slug="unplaced-park", name="Без точки")
    make_technopark(slug="draft-park", name="Черновик", published=False)
    make_technopark(slug="bench-park", name="Синтетика", synthetic=True)


@pytest.mark.parametrize(
    ("path", "media_type", "filename"),
    [
        ("/api/export.csv", "text/csv; charset=utf-8", "technoparks.csv"),
        ("/api/export.json", "application/json", "technoparks.json"),
        ("/api/export.geojson", "application/geo+json", "technoparks.geojson"),
    ],
)
def test_public_downloads_hold_published_records_only(
    client: FlaskClient, public_and_hidden: None, path: str, media_type: str, filename: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_data(as_text=True)
    assert "public-park" in body and "unplaced-park" in body
    assert "draft-park" not in body
    assert "bench-park" not in body
    assert "synthetic" not in body


def test_public_geojson_keeps_unplaced_records_with_null_geometry(
    client: FlaskClient, public_and_hidden: None
) -> None:
    features = {f["id"]: f for f in client.get("/api/export.geojson").get_json()["features"]}
    assert set(features) == {"public-park", "unplaced-park"}
    assert features["unplaced-park"]["geometry"] is None
    assert features["public-park"]["geometry"]["coordinates"] == [37.6, 55.7]


def test_public_csv_is_the_cli_export_of_published_records(
    client: FlaskClient, runner: FlaskCliRunner, tmp_path: Path, public_and_hidden: None
) -> None:
    public = csv_rows(client.get("/api/export.csv").data)
    complete = csv_rows(export(runner, tmp_path, "--format", "csv"))
    assert public == [row for row in complete if row["published"] == "true"]


def test_unchanged_download_answers_304(client: FlaskClient, public_and_hidden: None) -> None:
    first = client.get("/api/export.json")
    again = client.get("/api/export.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_an_empty_directory_exports_a_header(client: FlaskClient) -> None:
    text = client.get("/api/export.csv").get_data(as_text=True)
    assert text == BOM + ",".join(COLUMNS) + "\r\n"
    assert client.get("/api/export.json").get_json() == {"technoparks": []}


def test_seed_export_has_every_record(
    seeded_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    rows = csv_rows(export(runner, tmp_path, "--format", "csv"))
    assert len(rows) == seeded_technoparks(seeded_app, published_only=False) >= 51
    assert [row["slug"] for row in rows] == sorted(row["slug"] for row in rows)
    founding = next(row for row in rows if row["slug"] == "kvantorium-technopolis-moscow")
    assert founding["opening_date"] == "2016-09-29"
    assert founding["program_slug"] == "asi-new-model"
    with seeded_app.app_context():
        slugs = set(db.session.execute(select(Technopark.slug)).scalars())
    assert {row["slug"] for row in rows} == slugs

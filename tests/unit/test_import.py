"""`flask import`: every row checked by the edit form's rules, all or nothing, matched by slug."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner
from helpers import on_postgresql, seeded_technoparks
from sqlalchemy import func, select

from directory.data.exchange.csv_format import read_csv
from directory.data.exchange.importer import ImportConflict, import_source
from directory.domain.models import (
    AuditEntry,
    Direction,
    NewsArticle,
    Organization,
    Program,
    Technopark,
)
from directory.extensions import db


def write_csv(
    path: Path, rows: Iterable[Mapping[str, Any]], delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    """A CSV file as a spreadsheet would save it: every row's columns, empty where not given."""
    rows = list(rows)
    columns = list(dict.fromkeys(column for row in rows for column in row))
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, restval="")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run_import(runner: FlaskCliRunner, path: Path, *options: str) -> Result:
    return runner.invoke(args=["import", str(path), "--lang", "en", *options])


def count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def technopark(slug: str) -> Technopark | None:
    return db.session.execute(select(Technopark).filter_by(slug=slug)).scalar_one_or_none()


def snapshot() -> list[tuple]:
    """Every technopark's slug, version and update time, and the history's size."""
    rows = db.session.execute(
        select(Technopark.slug, Technopark.version, Technopark.updated_at).order_by(Technopark.slug)
    ).all()
    return [*rows, ("audit", count(AuditEntry), count(NewsArticle), count(Organization))]


GOOD_ROW = {"slug": "tula", "name": "Кванториум Тула", "city": "Тула"}


# ---------------------------------------------------------------- creating and updating


def test_a_row_without_publication_arrives_as_a_draft_with_history(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    result = run_import(runner, write_csv(tmp_path / "new.csv", [GOOD_ROW]))
    assert result.exit_code == 0, result.output
    assert "created: 1" in result.output
    with app.app_context():
        created = technopark("tula")
        assert created.name == "Кванториум Тула"
        assert created.published is False
        assert created.edited_by_id is None
        assert "тула" in created.search_text
        history = db.session.execute(
            select(AuditEntry).filter_by(entity_type="technopark", entity_id=created.id)
        ).scalars()
        fields = {entry.field: (entry.actor, entry.action, entry.new_value) for entry in history}
    assert fields["slug"] == ("import", "import", "tula")
    assert fields["name"] == ("import", "import", "Кванториум Тула")
    assert fields["published"] == ("import", "import", "False")


@pytest.mark.parametrize(("given", "stored"), [("true", True), ("false", False), ("", False)])
def test_a_row_keeps_the_publication_it_gives(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, given: str, stored: bool
) -> None:
    path = write_csv(tmp_path / "p.csv", [{**GOOD_ROW, "published": given}])
    assert run_import(runner, path).exit_code == 0
    with app.app_context():
        assert technopark("tula").published is stored


def test_a_stored_slug_is_updated_with_the_changes_in_its_history(
    app: Flask,
    runner: FlaskCliRunner,
    tmp_path: Path,
    make_technopark: Callable[..., Technopark],
) -> None:
    make_technopark(
        slug="tula", name="Старое имя", city="Тула", description="Описание", district="Центр"
    )
    path = write_csv(
        tmp_path / "u.csv",
        [
            {
                "slug": "tula",
                "name": "Новое имя",
                "city": "Тула",
                "district": "",
                "published": "true",
            }
        ],
    )
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert "updated: 1" in result.output
    with app.app_context():
        updated = technopark("tula")
        assert updated.name == "Новое имя"
        assert updated.district is None  # an empty cell means unknown
        assert updated.description == "Описание"  # a column left out keeps its value
        assert updated.version == 2
        entries = db.session.execute(
            select(AuditEntry).filter_by(entity_id=updated.id, action="import")
        ).scalars()
        changes = {entry.field: (entry.old_value, entry.new_value) for entry in entries}
    assert changes == {"name": ("Старое имя", "Новое имя"), "district": ("Центр", None)}


def test_importing_an_export_changes_nothing(
    seeded_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "all.csv"
    assert runner.invoke(args=["export", "-o", str(target)]).exit_code == 0
    with seeded_app.app_context():
        before = snapshot()
    result = run_import(runner, target)
    assert result.exit_code == 0, result.output
    seeded = seeded_technoparks(seeded_app, published_only=False)
    assert f"created: 0\nupdated: 0\nunchanged: {seeded}" in result.output
    with seeded_app.app_context():
        assert snapshot() == before


def test_rows_without_a_slug_get_one_from_their_name(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    rows = [{"slug": "", "name": "Кванториум", "city": "Тула"}] * 2
    rows.append({"slug": "kvantorium", "name": "Кванториум Орёл", "city": "Орёл"})
    assert run_import(runner, write_csv(tmp_path / "s.csv", rows)).exit_code == 0
    with app.app_context():
        slugs = dict(db.session.execute(select(Technopark.slug, Technopark.city)).all())
    assert slugs == {"kvantorium": "Орёл", "kvantorium-2": "Тула", "kvantorium-3": "Тула"}


def test_hosts_programmes_and_directions_are_created_when_missing(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        db.session.add(Direction(slug="robotics", name="Робототехника", name_en="Robotics"))
        db.session.add(Organization(slug="taken", name="Другая организация"))
        db.session.commit()
    row = {
        **GOOD_ROW,
        "host_organization_slug": "tula-university",
        "host_organization_name": "Тульский университет",
        "host_organization_website": "https://tsu.example",
        "program_slug": "",
        "program_name": "Новая программа",
        "program_url": "https://program.example",
        "directions": "robotics; space",
    }
    named_only = {
        "slug": "oryol",
        "name": "Кванториум Орёл",
        "city": "Орёл",
        "host_organization_slug": "",
        "host_organization_name": "Taken",
        "host_organization_website": "",
        "program_slug": "",
        "program_name": "Новая программа",
        "program_url": "",
        "directions": "",
    }
    result = run_import(runner, write_csv(tmp_path / "h.csv", [row, named_only]))
    assert result.exit_code == 0, result.output
    assert "organization created: 2" in result.output
    assert "direction created: 1" in result.output
    with app.app_context():
        tula, oryol = technopark("tula"), technopark("oryol")
        assert tula.host_organization.slug == "tula-university"
        assert tula.host_organization.website == "https://tsu.example"
        # A name-only programme gets a slug made from its name, and both rows share it.
        assert tula.program.slug == "novaya-programma"
        assert tula.program.url == "https://program.example"
        assert oryol.program is tula.program
        # "taken" belongs to another host: the new one made from a name gets the next slug.
        assert oryol.host_organization.slug == "taken-2"
        assert oryol.host_organization.name == "Taken"
        assert sorted(d.slug for d in tula.directions) == ["robotics", "space"]
        space = db.session.execute(select(Direction).filter_by(slug="space")).scalar_one()
        assert (space.name, space.name_en) == ("space", "space")
        assert count(Program) == 1


def test_a_name_alone_finds_a_stored_host_of_that_name(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        db.session.add(Organization(slug="mirea", name="РТУ МИРЭА"))
        db.session.commit()
    row = {**GOOD_ROW, "host_organization_name": "РТУ МИРЭА"}
    assert run_import(runner, write_csv(tmp_path / "n.csv", [row])).exit_code == 0
    with app.app_context():
        assert technopark("tula").host_organization.slug == "mirea"
        assert count(Organization) == 1


def test_news_urls_are_linked_and_missing_articles_created_with_the_url_only(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with app.app_context():
        db.session.add(NewsArticle(url="https://news.example/known", title="Известная"))
        db.session.commit()
    row = {**GOOD_ROW, "news_urls": "https://news.example/known; https://news.example/a;b=1"}
    result = run_import(runner, write_csv(tmp_path / "news.csv", [row]))
    assert result.exit_code == 0, result.output
    assert "news article created: 1" in result.output
    with app.app_context():
        articles = {article.url: article for article in technopark("tula").news}
        assert set(articles) == {"https://news.example/known", "https://news.example/a;b=1"}
        assert articles["https://news.example/known"].title == "Известная"
        assert articles["https://news.example/a;b=1"].title is None
        links = db.session.execute(select(AuditEntry).filter_by(action="link_news")).scalars()
        assert {entry.new_value for entry in links} == set(articles)


def test_a_command_line_import_is_kept_by_the_seed(
    seeded_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    slug = "kvantorium-technopolis-moscow"
    with seeded_app.app_context():
        city = technopark(slug).city
    path = write_csv(tmp_path / "e.csv", [{"slug": slug, "name": "Исправленное имя"}])
    assert run_import(runner, path).exit_code == 0
    with seeded_app.app_context():
        assert technopark(slug).edited_by_id is None
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert f"kept as edited by a person: {slug}" in result.output
    with seeded_app.app_context():
        kept = technopark(slug)
        assert kept.name == "Исправленное имя"
        assert kept.city == city


def test_the_seed_still_updates_records_an_import_left_unchanged(
    seeded_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "all.json"
    assert runner.invoke(args=["export", "--format", "json", "-o", str(target)]).exit_code == 0
    assert run_import(runner, target).exit_code == 0
    result = runner.invoke(args=["seed"])
    assert "kept as edited" not in result.output


# ---------------------------------------------------------------- refusing bad rows

BAD_CELLS = [
    ({"name": ""}, "name", "Give the technopark's name."),
    ({"city": ""}, "city", "Give the city."),
    ({"latitude": "95", "longitude": "37"}, "latitude", "between -90 and 90 degrees"),
    ({"latitude": "55,7"}, "longitude", "Give both the latitude and the longitude, or neither."),
    ({"latitude": "north", "longitude": "37"}, "latitude", "Enter a number in degrees"),
    ({"age_min": "2"}, "age_min", "Ages must be between 3 and 18 years."),
    ({"age_min": "12", "age_max": "10"}, "age_max", "must not be below the youngest"),
    ({"website": "javascript:alert(1)"}, "website", "starting with http:// or https://"),
    ({"phone": "call us"}, "phone", "Enter a phone number such as"),
    ({"email": "nobody"}, "email", "Enter an email address"),
    ({"opening_date": "29.09.2016"}, "opening_date", "Write the date as 2016-09-29"),
    ({"opening_date": "2999"}, "opening_date", "The opening date is in the future"),
    ({"status": "maybe"}, "status", "Choose one of the listed options. (open, planned, closed)"),
    ({"location_precision": "exact"}, "location_precision", "(building, street, district"),
    ({"published": "perhaps"}, "published", "Write true or false"),
    ({"verified_at": "yesterday"}, "verified_at", "Write the time as ISO 8601"),
    ({"verified_at": "2999-01-01T00:00:00+00:00"}, "verified_at", "in the future"),
    ({"slug": "Tula Park"}, "slug", "Latin lower-case letters"),
    ({"directions": "Robotics!"}, "directions", "Latin lower-case letters"),
    ({"news_urls": "ftp://news.example/1"}, "news_urls", "ftp://news.example/1: Enter a web"),
    ({"host_organization_slug": "new-host"}, "host_organization_name", "«new-host» is not stored"),
    ({"program_url": "https://p.example"}, "program_slug", "Give the programme's slug or name"),
    ({"host_organization_website": "nope", "host_organization_name": "Хост"},
     "host_organization_website", "starting with http"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    BAD_CELLS,
    ids=[f"{column}-{index}" for index, (_c, column, _m) in enumerate(BAD_CELLS)],
)
def test_a_bad_row_is_named_with_its_line_and_reason_and_nothing_is_imported(
    app: Flask,
    runner: FlaskCliRunner,
    tmp_path: Path,
    cells: dict[str, str],
    column: str,
    message: str,
) -> None:
    rows = [
        {**GOOD_ROW, "slug": "first", "status": "open"},
        {**GOOD_ROW, "slug": "second", "status": "open", **cells},
    ]
    result = run_import(runner, write_csv(tmp_path / "bad.csv", rows))
    assert result.exit_code == 1
    assert f"line 3: {column}: " in result.output
    line = next(line for line in result.output.splitlines() if line.startswith("line 3"))
    assert message in line
    assert "line 2" not in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert count(Technopark) == 0
        assert count(AuditEntry) == 0


def test_lines_count_spreadsheet_rows_not_text_lines(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    rows = [
        {**GOOD_ROW, "slug": "a", "description": "one\ntwo\nthree"},
        {**GOOD_ROW, "slug": "b", "city": ""},
    ]
    result = run_import(runner, write_csv(tmp_path / "multi.csv", rows))
    assert "line 3: city: Give the city." in result.output


def test_every_bad_row_is_listed(runner: FlaskCliRunner, tmp_path: Path) -> None:
    rows = [
        {**GOOD_ROW, "slug": "a", "city": ""},
        {**GOOD_ROW, "slug": "b"},
        {**GOOD_ROW, "slug": "c", "name": "", "email": "x"},
    ]
    result = run_import(runner, write_csv(tmp_path / "many.csv", rows))
    problems = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert problems == [
        "line 2: city: Give the city.",
        "line 4: name: Give the technopark's name.",
        "line 4: email: Enter an email address such as info@example.org.",
    ]
    assert "3 problem(s)" in result.output


def test_messages_are_in_russian_by_default(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ru.csv", [{**GOOD_ROW, "city": ""}])
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "строка 2: city: Укажите город." in result.output


def test_one_bad_row_among_a_thousand_changes_nothing(
    seeded_app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    with seeded_app.app_context():
        stored = sorted(db.session.execute(select(Technopark.slug)).scalars())[:10]
        before = snapshot()
    rows = [
        {
            "slug": stored[number] if number < len(stored) else f"generated-{number:04d}",
            "name": f"Технопарк №{number}",
            "city": "Тула",
            "latitude": f"54.{number:04d}",
            "longitude": "37.6",
            "age_min": "7",
            "age_max": "17",
            "directions": "robotics; it",
            "published": "true",
        }
        for number in range(1000)
    ]
    rows[700]["age_max"] = "5"  # below age_min: the one bad row, on spreadsheet line 702
    path = write_csv(tmp_path / "thousand.csv", rows)
    result = run_import(runner, path)
    assert result.exit_code == 1
    problems = [line for line in result.output.splitlines() if line.startswith("line ")]
    assert problems == ["line 702: age_max: The oldest age must not be below the youngest."]
    with seeded_app.app_context():
        assert snapshot() == before

    rows[700]["age_max"] = "17"
    result = run_import(runner, write_csv(path, rows))
    assert result.exit_code == 0, result.output
    assert "Checking rows" in result.output and "Writing" in result.output
    assert "created: 990\nupdated: 10\nunchanged: 0" in result.output
    with seeded_app.app_context():
        assert count(Technopark) == seeded_technoparks(seeded_app, published_only=False) + 990


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("adress", "line 1: adress: Unknown column"),
        ("synthetic", "line 1: synthetic: Synthetic benchmark records cannot be imported."),
        ("name", "line 1: name: The column appears twice."),
    ],
)
def test_wrong_columns_are_named(
    runner: FlaskCliRunner, tmp_path: Path, header: str, message: str
) -> None:
    path = tmp_path / "columns.csv"
    path.write_text(f"slug,name,city,{header}\r\ntula,Тула,Тула,x\r\n", encoding="utf-8")
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert message in result.output


def test_a_repeated_slug_names_both_lines(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = run_import(runner, write_csv(tmp_path / "twice.csv", [GOOD_ROW, GOOD_ROW]))
    assert "line 3: slug: The slug is also in row 2." in result.output


def test_rows_must_agree_on_a_host(runner: FlaskCliRunner, tmp_path: Path) -> None:
    rows = [
        {**GOOD_ROW, "slug": "a", "host_organization_slug": "h", "host_organization_name": "Один"},
        {**GOOD_ROW, "slug": "b", "host_organization_slug": "h", "host_organization_name": "Два"},
    ]
    result = run_import(runner, write_csv(tmp_path / "hosts.csv", rows))
    assert "line 3: host_organization_name: Row 2 gives «Один» here." in result.output


def test_a_synthetic_record_is_never_overwritten(
    runner: FlaskCliRunner, tmp_path: Path, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="tula", synthetic=True)
    result = run_import(runner, write_csv(tmp_path / "syn.csv", [GOOD_ROW]))
    assert "line 2: slug: A synthetic benchmark record has this slug." in result.output


def test_a_file_not_in_utf8_is_refused(runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cp1251.csv", [GOOD_ROW], encoding="cp1251")
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "the file: The file is not UTF-8 text" in result.output


# ---------------------------------------------------------------- what spreadsheets save


def test_a_semicolon_separated_file_with_a_bom_is_read(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    write_csv(path, [{**GOOD_ROW, "address": "ул. Ленина, 1"}], delimiter=";")
    path.write_bytes("\ufeff".encode() + path.read_bytes())
    assert run_import(runner, path).exit_code == 0
    with app.app_context():
        assert technopark("tula").address == "ул. Ленина, 1"


@pytest.mark.parametrize(
    ("cell", "stored"),
    [
        ("'=1+2", "=1+2"),
        ("'+7 495", "+7 495"),
        ("''=x", "'=x"),
        ("'plain", "'plain"),
        ("=raw", "=raw"),
    ],
)
def test_the_formula_apostrophe_is_removed_exactly(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path, cell: str, stored: str
) -> None:
    path = write_csv(tmp_path / "guard.csv", [{**GOOD_ROW, "description": cell}])
    assert run_import(runner, path).exit_code == 0
    with app.app_context():
        assert technopark("tula").description == stored


def test_trailing_blank_rows_are_ignored(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("slug,name,city\r\ntula,Тула,Тула\r\n,,\r\n,,\r\n", encoding="utf-8")
    assert run_import(runner, path).exit_code == 0
    with app.app_context():
        assert count(Technopark) == 1


# ---------------------------------------------------------------- JSON


def test_json_records_are_numbered_from_one(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "records.json"
    records = [GOOD_ROW, {**GOOD_ROW, "slug": "b", "age_min": 40, "directions": ["robotics"]}]
    path.write_text(json.dumps({"technoparks": records}), encoding="utf-8")
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert "record 2: age_min: Ages must be between 3 and 18 years." in result.output
    with app.app_context():
        assert count(Technopark) == 0


def test_json_takes_a_bare_list_with_typed_values(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "list.json"
    record = {
        **GOOD_ROW,
        "latitude": 54.19,
        "longitude": 37.61,
        "age_min": 7,
        "published": True,
        "directions": ["robotics"],
        "district": None,
    }
    path.write_text(json.dumps([record]), encoding="utf-8")
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    with app.app_context():
        created = technopark("tula")
        assert (created.latitude, created.longitude, created.age_min) == (54.19, 37.61, 7)
        assert created.published is True
        assert [direction.slug for direction in created.directions] == ["robotics"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"technoparks": [', "The file is not valid JSON (line 1, column 18)."),
        ('{"items": []}', 'Give a list of records, or an object whose "technoparks"'),
        ("[1]", "record 1: The record is not an object."),
        ('[{"name": {"ru": "Тула"}}]', "record 1: name: Give a text, a number"),
        ('[{"directions": [1, 2]}]', "record 1: directions: Give a list of texts."),
    ],
)
def test_unusable_json_is_explained(
    runner: FlaskCliRunner, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    result = run_import(runner, path)
    assert result.exit_code == 1
    assert message in result.output


def test_a_colleagues_save_during_the_import_stops_it_whole(
    app: Flask, make_technopark: Callable[..., Technopark]
) -> None:
    if not on_postgresql():
        # An import holds SQLite's write lock from its first statement (BEGIN IMMEDIATE),
        # so a colleague's save waits for it instead: tests/unit/test_sqlite.py shows that.
        pytest.skip("on SQLite an import holds the write lock from its first read")
    make_technopark(slug="a", name="Старое А", city="Тула")
    make_technopark(slug="b", name="Старое Б", city="Тула")
    content = "slug,name,city\r\na,Новое А,Тула\r\nb,Новое Б,Тула\r\n".encode()

    def colleague_saves_b_before_writing(items: list, label: str) -> list:
        if label == "Writing":
            with db.engine.begin() as connection:
                connection.execute(
                    Technopark.__table__.update()
                    .where(Technopark.slug == "b")
                    .values(name="Коллега", version=Technopark.version + 1)
                )
        return items

    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(ImportConflict):
            import_source(read_csv(content), None, colleague_saves_b_before_writing)
        db.session.rollback()
        names = dict(db.session.execute(select(Technopark.slug, Technopark.name)).all())
    assert names == {"a": "Старое А", "b": "Коллега"}


# ---------------------------------------------------------------- rows from an older version


def exported_then_edited(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> Path:
    """tula exported at version 1, then its phone and address changed by a coordinator."""
    assert run_import(runner, write_csv(tmp_path / "first.csv", [GOOD_ROW])).exit_code == 0
    exported = tmp_path / "export.csv"
    assert runner.invoke(args=["export", "--format", "csv", "-o", str(exported)]).exit_code == 0
    with app.app_context():
        from directory.domain import operations
        from directory.domain.accounts import create_user
        from directory.domain.models import Role

        boris = create_user("boris@example.org", "Борис", Role.ADMIN, "correct horse battery")
        operations.update_technopark(
            technopark("tula"), {"phone": "+7 (4872) 11-22-33", "address": "ул. Бориса, 1"}, boris
        )
        db.session.commit()
    return exported


def changed_export(exported: Path, changes: dict[str, str]) -> Path:
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0].update(changes)
    return write_csv(exported.with_name("changed.csv"), rows)


def test_a_stale_row_writes_only_what_the_file_changed(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    exported = exported_then_edited(app, runner, tmp_path)
    result = run_import(runner, changed_export(exported, {"district": "Центральный"}))
    assert result.exit_code == 0, result.output
    with app.app_context():
        tula = technopark("tula")
        assert tula.district == "Центральный"
        # The colleague's phone and address stay: the file from before them did not change them.
        assert (tula.phone, tula.address) == ("+7 (4872) 11-22-33", "ул. Бориса, 1")


def test_a_stale_row_that_clashes_imports_nothing_and_says_where(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    exported = exported_then_edited(app, runner, tmp_path)
    before = None
    with app.app_context():
        before = snapshot()
    result = run_import(
        runner, changed_export(exported, {"address": "ул. Файла, 2", "district": "Центральный"})
    )
    assert result.exit_code == 1
    assert "line 2: address: This file changes it to «ул. Файла, 2»" in result.output
    assert "Борис changed it to «ул. Бориса, 1»" in result.output
    with app.app_context():
        assert snapshot() == before


def test_a_version_from_the_future_is_refused(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    assert run_import(runner, write_csv(tmp_path / "first.csv", [GOOD_ROW])).exit_code == 0
    result = run_import(runner, write_csv(tmp_path / "later.csv", [{**GOOD_ROW, "version": "7"}]))
    assert result.exit_code == 1
    assert "line 2: version: No version 7 of this technopark was ever exported." in result.output


def test_a_file_is_held_to_the_forms_limits(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    rows = [
        {**GOOD_ROW, "description": "о" * 5001},
        {"slug": "kaluga", "name": "Кванториум Калуга", "city": "Калуга", "sources": "и" * 5000},
    ]
    result = run_import(runner, write_csv(tmp_path / "long.csv", rows))
    assert result.exit_code == 1
    assert "line 2: description: Write at most 5000 characters." in result.output
    assert "line 3" not in result.output
    with app.app_context():
        assert count(Technopark) == 0

"""The seed: counts, idempotence, the founding record's facts, and respect for edits."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskCliRunner
from helpers import seeded_technoparks
from sqlalchemy import func, select

from directory.domain.models import (
    AuditEntry,
    DatePrecision,
    Direction,
    LocationPrecision,
    NewsArticle,
    Organization,
    Program,
    Technopark,
)
from directory.extensions import db

FOUNDING_SLUG = "kvantorium-technopolis-moscow"


def count(model: type) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def snapshot() -> list[tuple]:
    """Every technopark's slug, version and update time, to prove nothing changed."""
    return db.session.execute(
        select(Technopark.slug, Technopark.version, Technopark.updated_at).order_by(Technopark.slug)
    ).all()


def test_seed_loads_every_record(seeded_app: Flask) -> None:
    expected = seeded_technoparks(seeded_app, published_only=False)
    assert expected >= 51
    with seeded_app.app_context():
        assert count(Technopark) == expected
        moscow = select(func.count()).where(Technopark.city == "Москва")
        assert db.session.execute(moscow.select_from(Technopark)).scalar_one() == 13
        assert count(Program) == 1
        assert count(Organization) == 13
        assert count(NewsArticle) >= 30
        assert count(Direction) >= 10


def test_second_seed_changes_nothing(seeded_app: Flask, runner: FlaskCliRunner) -> None:
    with seeded_app.app_context():
        before = snapshot()
        audit_rows = count(AuditEntry)
        links = db.session.execute(
            select(func.count()).select_from(Technopark).join(Technopark.news)
        ).scalar_one()
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert "nothing changed" in result.output
    with seeded_app.app_context():
        assert snapshot() == before
        assert count(AuditEntry) == audit_rows
        assert (
            db.session.execute(
                select(func.count()).select_from(Technopark).join(Technopark.news)
            ).scalar_one()
            == links
        )


def test_founding_record_facts(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        founding = db.session.execute(
            select(Technopark).where(Technopark.slug == FOUNDING_SLUG)
        ).scalar_one()
        assert founding.opening_date == date(2016, 9, 29)
        assert founding.opening_date_precision == DatePrecision.DAY
        assert founding.network == "Кванториум"
        assert "Технополис" in founding.host_organization.name
        assert founding.program.name == "Новая модель системы дополнительного образования детей"
        assert "АСИ" in founding.program.operator
        assert (founding.age_min, founding.age_max) == (13, 17)
        assert founding.published is True
        assert founding.verified_at is None
        assert founding.position_is_approximate
        urls = {article.url for article in founding.news}
        assert (
            "https://gazetayakimanka.moscow/2016/09/29/"
            "sobyanin-otkryil-vtoroy-detskiy-tehnopark-kvantorium-v-moskve" in urls
        )
        # The Kvantorium's own address is not sourced; only its host's is.
        assert founding.address is None
        assert "кванториум" in founding.search_text


def test_dates_keep_their_precision(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        precisions = dict(
            db.session.execute(select(Technopark.slug, Technopark.opening_date_precision)).all()
        )
    assert precisions["kvantorium-mosgormash"] == DatePrecision.YEAR
    assert precisions["altair-mirea"] == DatePrecision.MONTH
    assert precisions["superfood"] is None


def test_network_records_are_published_but_not_verified(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        network = (
            db.session.execute(select(Technopark).where(Technopark.city != "Москва"))
            .scalars()
            .all()
        )
        # Every record outside Moscow comes from the network list or a regional file.
        assert len(network) == seeded_technoparks(seeded_app, published_only=False) - 13
        assert len(network) >= 38
        assert all(t.published and t.verified_at is None for t in network)
        assert all(t.network == "Кванториум" for t in network)


def test_skolkovo_is_seeded_once_and_the_wrong_kirov_point_is_not_placed(
    seeded_app: Flask,
) -> None:
    with seeded_app.app_context():
        at_skolkovo = (
            db.session.execute(
                select(Technopark).where(Technopark.address.contains("Большой бульвар"))
            )
            .scalars()
            .all()
        )
        assert [t.slug for t in at_skolkovo] == ["skolkovo"]
        kirov = db.session.execute(
            select(Technopark).where(Technopark.slug == "kvantorium-kirov")
        ).scalar_one()
        assert kirov.latitude is None and kirov.longitude is None
        assert kirov.location_precision == LocationPrecision.UNKNOWN


def test_unsourced_positions_stay_unknown(seeded_app: Flask) -> None:
    with seeded_app.app_context():
        unplaced = set(
            db.session.execute(
                select(Technopark.slug).where(Technopark.latitude.is_(None))
            ).scalars()
        )
        kalibr = db.session.execute(
            select(Technopark).where(Technopark.slug == "kalibr")
        ).scalar_one()
    assert {"kvantorium-mosgormash", "mendeleev-center", "kosygin-park"} <= unplaced
    assert kalibr.location_precision == LocationPrecision.DISTRICT


def test_seed_never_overwrites_an_edited_record(seeded_app: Flask, runner: FlaskCliRunner) -> None:
    from directory.domain.accounts import create_user
    from directory.domain.models import Role

    with seeded_app.app_context():
        editor = create_user("editor@example.org", "Редактор", Role.ADMIN, "a long passphrase 1")
        founding = db.session.execute(
            select(Technopark).where(Technopark.slug == FOUNDING_SLUG)
        ).scalar_one()
        founding.description = "Исправлено координатором"
        founding.age_min = 12
        founding.edited_by = editor
        db.session.commit()
        version = founding.version
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert FOUNDING_SLUG in result.output
    with seeded_app.app_context():
        founding = db.session.execute(
            select(Technopark).where(Technopark.slug == FOUNDING_SLUG)
        ).scalar_one()
        assert founding.description == "Исправлено координатором"
        assert founding.age_min == 12
        assert founding.version == version


def test_seed_repairs_an_unedited_record(seeded_app: Flask, runner: FlaskCliRunner) -> None:
    with seeded_app.app_context():
        founding = db.session.execute(
            select(Technopark).where(Technopark.slug == FOUNDING_SLUG)
        ).scalar_one()
        founding.age_max = 18
        db.session.commit()
    result = runner.invoke(args=["seed"])
    assert "updated 1 technopark" in result.output
    with seeded_app.app_context():
        founding = db.session.execute(
            select(Technopark).where(Technopark.slug == FOUNDING_SLUG)
        ).scalar_one()
        assert founding.age_max == 17
        entry = db.session.execute(
            select(AuditEntry).where(AuditEntry.field == "age_max")
        ).scalar_one()
        assert (entry.old_value, entry.new_value, entry.actor) == ("18", "17", "seed")


def test_a_broken_seed_file_changes_nothing(app: Flask, tmp_path) -> None:
    for name, table in (
        ("directions.toml", ""),
        ("programs.toml", ""),
        ("organizations.toml", ""),
        ("technoparks_kvantorium_network.toml", ""),
        ("news.toml", ""),
    ):
        (tmp_path / name).write_text(table, encoding="utf-8")
    (tmp_path / "technoparks_moscow.toml").write_text(
        '[[technopark]]\nslug = "ok"\nname = "Первый"\ncity = "Москва"\n\n'
        '[[technopark]]\nslug = "bad"\nname = "Второй"\ncity = "Москва"\nhost = "nobody"\n',
        encoding="utf-8",
    )
    app.config["SEED_DATA_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 1
    assert "Technopark bad: unknown host 'nobody'" in result.output
    with app.app_context():
        assert count(Technopark) == 0


def write_minimal_seed(directory) -> None:
    """Empty catalogue files, so a test adds only the technoparks and articles it is about."""
    for name in ("directions.toml", "programs.toml", "organizations.toml"):
        (directory / name).write_text("", encoding="utf-8")


def test_records_split_across_regional_files_are_all_loaded(app: Flask, tmp_path) -> None:
    write_minimal_seed(tmp_path)
    (tmp_path / "technoparks_a.toml").write_text(
        '[[technopark]]\nslug = "first"\nname = "Первый"\ncity = "Томск"\n', encoding="utf-8"
    )
    (tmp_path / "technoparks_b.toml").write_text(
        '[[technopark]]\nslug = "second"\nname = "Второй"\ncity = "Омск"\n', encoding="utf-8"
    )
    (tmp_path / "news_b.toml").write_text(
        '[[article]]\nurl = "https://example.org/a"\ntechnoparks = ["first", "second"]\n',
        encoding="utf-8",
    )
    app.config["SEED_DATA_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        article = db.session.execute(select(NewsArticle)).scalar_one()
        assert sorted(t.slug for t in article.technoparks) == ["first", "second"]


def test_a_slug_in_two_files_is_refused_by_name(app: Flask, tmp_path) -> None:
    write_minimal_seed(tmp_path)
    for name in ("technoparks_a.toml", "technoparks_b.toml"):
        (tmp_path / name).write_text(
            '[[technopark]]\nslug = "twice"\nname = "Дважды"\ncity = "Томск"\n', encoding="utf-8"
        )
    app.config["SEED_DATA_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 1
    assert "technopark 'twice' is in technoparks_a.toml and again in technoparks_b.toml" in (
        result.output
    )
    with app.app_context():
        assert count(Technopark) == 0

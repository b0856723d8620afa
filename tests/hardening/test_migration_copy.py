"""Migrating a copy of a populated database keeps every row of every table.

A database at the first revision is filled with what a live directory holds (the seed,
accounts, edits with their audit rows, news), copied as an operator would before an upgrade
(SQLite's backup API; PostgreSQL's CREATE DATABASE … TEMPLATE), and the copy is upgraded to
the newest revisions. Every table the first revision had must keep its row count and the
contents of every column it had, but for the columns a later revision drops on purpose.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from helpers import TEST_DATABASE_URL, on_postgresql, record_figure
from sqlalchemy import MetaData, create_engine, select, text
from werkzeug.security import generate_password_hash

from directory import create_app
from directory.config import normalise_database_url
from directory.data.seed import load_seed
from directory.domain import operations
from directory.domain.accounts import create_user, grant_technopark
from directory.domain.models import Role, Technopark, User
from directory.extensions import db

pytestmark = pytest.mark.slow

INITIAL_REVISION = "0001_initial"
Snapshot = dict[str, list[tuple[Any, ...]]]
# Columns a later revision removes, with the value a row of the first revision gets in them.
# 0012_sign_ins: the account-wide session token, replaced by one stored row per sign-in.
DROPPED_COLUMNS: dict[str, dict[str, Any]] = {"user_account": {"session_token": "signed-out"}}


class Databases:
    """Named empty databases of the engine under test, and a way to copy one into another."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []
        self.server = (
            normalise_database_url(TEST_DATABASE_URL).rsplit("/", 1)[0] if on_postgresql() else ""
        )

    def url(self, name: str) -> str:
        if not self.server:
            return f"sqlite:///{self.folder / name}.sqlite"
        return f"{self.server}/directory_hardening_migration_{os.getpid()}_{name}"

    def admin(self, statement: str) -> None:
        engine = create_engine(self.server + "/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def create(self, name: str, template: str | None = None) -> str:
        """An empty database, or with a template a copy of that database."""
        url = self.url(name)
        if not self.server:
            if template is not None:
                source = sqlite3.connect(self.url(template).removeprefix("sqlite:///"))
                target = sqlite3.connect(url.removeprefix("sqlite:///"))
                with target:
                    source.backup(target)
                source.close()
                target.close()
            return url
        database = url.rsplit("/", 1)[1]
        self.admin(f'DROP DATABASE IF EXISTS "{database}"')
        suffix = f' TEMPLATE "{self.url(template).rsplit("/", 1)[1]}"' if template else ""
        self.admin(f'CREATE DATABASE "{database}"{suffix}')
        self.created.append(database)
        return url

    def drop_all(self) -> None:
        for database in self.created:
            self.admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[Databases]:
    found = Databases(tmp_path)
    yield found
    if found.server:
        found.drop_all()


def with_app(url: str, work: Callable[[], Any]) -> Any:
    """Run work in an app context on this database, then close every connection."""
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        try:
            return work()
        finally:
            db.session.remove()
            db.engine.dispose()


def populate(seed_folder: Path) -> None:
    """What a live directory holds: the seed, accounts, edits, confirmations, news."""
    load_seed(seed_folder)
    db.session.commit()
    admin = create_user("admin@example.org", "Ирина Админова", Role.ADMIN, "correct horse battery")
    coordinator = create_user(
        "anna@example.org", "Анна Петрова", Role.COORDINATOR, "correct horse battery"
    )
    for user in (admin, coordinator):
        user.password_hash = generate_password_hash("correct horse battery", "scrypt:1024:8:1")
    technoparks = db.session.execute(select(Technopark).order_by(Technopark.id)).scalars().all()
    for technopark in technoparks[:3]:
        grant_technopark(coordinator, technopark.slug)
    db.session.commit()
    for number, technopark in enumerate(technoparks[:3]):
        operations.update_technopark(
            technopark,
            {"description": f"Правка координатора {number}", "phone": "+7 (495) 123-45-67"},
            coordinator,
        )
        operations.confirm_technopark(technopark, coordinator)
    operations.create_technopark({"name": "Новый технопарк", "city": "Тула"}, coordinator)
    operations.add_news_article(
        {"url": "https://example.org/news/1", "title": "Открытие", "language": "ru"},
        technoparks[:2],
        coordinator,
    )
    operations.set_active(db.session.get(User, coordinator.id), False, admin)
    db.session.commit()


def copy_rows(source_url: str) -> None:
    """Copy every row of the source into the current database, for the columns it has."""
    target = MetaData()
    target.reflect(db.engine)
    source_engine = create_engine(source_url)
    source = MetaData()
    source.reflect(source_engine)
    with source_engine.connect() as reading:
        for table in target.sorted_tables:
            if table.name == "alembic_version" or table.name not in source.tables:
                continue
            dropped = DROPPED_COLUMNS.get(table.name, {})
            columns = [column.name for column in table.columns if column.name not in dropped]
            rows = reading.execute(select(*(source.tables[table.name].c[c] for c in columns)))
            values = [{**dict(zip(columns, row, strict=True)), **dropped} for row in rows]
            if values:
                db.session.execute(table.insert(), values)
    source_engine.dispose()
    db.session.commit()


def snapshot(columns: dict[str, list[str]] | None = None) -> Snapshot:
    """Every row of every table (or of the given tables and columns), in a stable order."""
    metadata = MetaData()
    metadata.reflect(db.engine)
    found: Snapshot = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version" or (columns and table.name not in columns):
            continue
        names = columns[table.name] if columns else [column.name for column in table.columns]
        rows = db.session.execute(select(*(table.c[name] for name in names))).all()
        found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def table_columns() -> dict[str, list[str]]:
    """The columns of each table that the newest revision still has."""
    metadata = MetaData()
    metadata.reflect(db.engine)
    return {
        table.name: [
            column.name
            for column in table.columns
            if column.name not in DROPPED_COLUMNS.get(table.name, {})
        ]
        for table in metadata.tables.values()
    }


def test_upgrading_a_copy_keeps_every_row(databases: Databases) -> None:
    seed_folder = Path(__file__).resolve().parents[2] / "seed_data"
    live = databases.create("live")
    with_app(live, lambda: (upgrade(revision="heads"), populate(seed_folder)))

    before_url = databases.create("before")

    def at_first_revision() -> tuple[Snapshot, dict[str, list[str]]]:
        upgrade(revision=INITIAL_REVISION)
        copy_rows(live)
        kept = table_columns()
        return snapshot(kept), kept

    before, columns = with_app(before_url, at_first_revision)
    copy = databases.create("copy", template="before")
    after = with_app(copy, lambda: (upgrade(revision="heads"), snapshot(columns))[1])

    rows = sum(len(table) for table in before.values())
    assert {name: len(table) for name, table in after.items()} == {
        name: len(table) for name, table in before.items()
    }
    assert rows > 100 and before["audit_entry"] and before["user_account"]
    lost = sum(len(set(table) - set(after[name])) for name, table in before.items())
    assert after == before
    backend = "postgresql" if on_postgresql() else "sqlite"
    record_figure(
        f"migration [{backend}] {INITIAL_REVISION} → heads on a copy: {len(before)} tables, "
        f"{rows} rows compared column by column, {lost} lost or changed"
    )

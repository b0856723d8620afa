"""Fixtures: an app with a fresh database per test, on SQLite or on TEST_DATABASE_URL.

The databases are built once per run and copied for each test: the empty schema, and the
schema with seed_data/ loaded through the real `flask seed` command. On SQLite a copy is a
file copy; on PostgreSQL the tables are emptied after each test, and a test that wants the
seed gets its rows inserted again from a snapshot taken once.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    FIGURES,
    PENDING_FIGURES,
    TEST_DATABASE_URL,
    AuthActions,
    Mailbox,
    on_postgresql,
    served,
    smtp_server_on_loopback,
)
from hypothesis import settings
from sqlalchemy import create_engine, func, select, text
from werkzeug.security import generate_password_hash

from directory import create_app
from directory.config import normalise_database_url
from directory.domain.models import Technopark
from directory.domain.search import refresh_search_text
from directory.extensions import db

# In CI the property tests replay the same examples every run, so a submission's result does
# not depend on luck; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

TEST_SETTINGS = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-that-is-long-enough",
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Mail goes to the console unless a test asks for the SMTP server (the `mailbox` fixture),
    # and is sent right after each commit, so a test sees it without waiting for a thread.
    "MAIL_SERVER": None,
    "MAIL_SEND_IN_BACKGROUND": False,
}
# Tests that ask for this (itself, or through a fixture) get the seeded database.
SEEDED_FIXTURES = frozenset({"seeded_app"})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Carry the figures a test recorded on its last report, to wherever the run is summed up."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown":
        report.user_properties.extend(("figure", line) for line in PENDING_FIGURES)
        PENDING_FIGURES.clear()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    FIGURES.extend(value for name, value in report.user_properties if name == "figure")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures the hardening tests recorded, after the test results."""
    if FIGURES:
        terminalreporter.section("hardening figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by folder, so `-m "not browser"` and the like pick them out."""
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        if folder == "browser" or item.fspath.basename.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)


def build_app(database_url: str) -> Flask:
    return create_app({**TEST_SETTINGS, "DATABASE_URL": database_url})


# ---------------------------------------------------------------- the databases, built once


@dataclass
class Templates:
    """The empty and the seeded database, ready to be copied into each test."""

    empty: Path | None = None
    seeded: Path | None = None
    # PostgreSQL: the seeded rows of every table, in an order foreign keys accept.
    seed_rows: list[tuple[str, list[dict[str, Any]]]] = field(default_factory=list)


def seed_through_the_command(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0, result.output


def dispose(app: Flask) -> None:
    """Close the app's connections; SQLite folds its write-ahead log into the file."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    if on_postgresql():
        yield from postgresql_templates()
        return
    folder = tmp_path_factory.mktemp("templates")
    empty, seeded = folder / "empty.sqlite", folder / "seeded.sqlite"
    app = build_app(f"sqlite:///{empty}")
    with app.app_context():
        db.create_all()
    dispose(app)
    shutil.copyfile(empty, seeded)
    app = build_app(f"sqlite:///{seeded}")
    seed_through_the_command(app)
    dispose(app)
    yield Templates(empty=empty, seeded=seeded)


def postgresql_templates() -> Iterator[Templates]:
    """The schema once per run, and the seed's rows kept to be inserted again."""
    created = create_database_if_missing(TEST_DATABASE_URL)
    app = build_app(TEST_DATABASE_URL)
    with app.app_context():
        db.drop_all()
        db.create_all()
    seed_through_the_command(app)
    with app.app_context():
        connection = db.session.connection()
        rows = [
            (table.name, [dict(row) for row in connection.execute(table.select()).mappings()])
            for table in db.metadata.sorted_tables
        ]
        db.session.commit()
        empty_every_table()
    yield Templates(seed_rows=rows)
    with app.app_context():
        db.drop_all()
        db.session.remove()
        db.engine.dispose()
    if created:
        drop_database(TEST_DATABASE_URL)


def server_admin(url: str) -> tuple[Any, str]:
    """An engine on the server's postgres database, and the name of the url's database."""
    server, name = normalise_database_url(url).rsplit("/", 1)
    return create_engine(server + "/postgres", isolation_level="AUTOCOMMIT"), name


def create_database_if_missing(url: str) -> bool:
    """An xdist worker's own database is made for the run; True when it was made now."""
    engine, name = server_admin(url)
    with engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return not exists


def drop_database(url: str) -> None:
    engine, name = server_admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def empty_every_table() -> None:
    """Remove every row and restart the ids, so the next test starts clean."""
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


def insert_seed_rows(rows: list[tuple[str, list[dict[str, Any]]]]) -> None:
    """Put the seed's rows back, and move each id sequence past them."""
    connection = db.session.connection()
    for name, table_rows in rows:
        table = db.metadata.tables[name]
        if table_rows:
            connection.execute(table.insert(), table_rows)
        if "id" in table.c and table_rows:
            highest = connection.execute(select(func.max(table.c.id))).scalar_one()
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), :highest)"),
                {"highest": highest},
            )
    db.session.commit()


# ---------------------------------------------------------------- per test


@pytest.fixture
def app(request: pytest.FixtureRequest, tmp_path: Path, templates: Templates) -> Iterator[Flask]:
    """An app on its own database: empty, or seeded when the test asks for the seed."""
    seeded = bool(SEEDED_FIXTURES & set(request.fixturenames))
    if on_postgresql():
        app = build_app(TEST_DATABASE_URL)
        if seeded:
            with app.app_context():
                insert_seed_rows(templates.seed_rows)
    else:
        database = tmp_path / "test.sqlite"
        shutil.copyfile(templates.seeded if seeded else templates.empty, database)
        app = build_app(f"sqlite:///{database}")
    yield app
    with app.app_context():
        if on_postgresql():
            empty_every_table()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def seeded_app(app: Flask) -> Flask:
    """The app with seed_data/ loaded through the real command (copied from the template)."""
    return app


@pytest.fixture
def make_technopark(app: Flask) -> Callable[..., Technopark]:
    """Build and commit a technopark; keyword arguments override the defaults."""
    counter = iter(range(1, 1_000_000))

    def make(**overrides: Any) -> Technopark:
        number = next(counter)
        values: dict[str, Any] = {
            "slug": f"technopark-{number}",
            "name": f"Технопарк номер {number}",
            "city": "Москва",
            "published": True,
        }
        values.update(overrides)
        with app.app_context():
            technopark = Technopark(**values)
            refresh_search_text(technopark)
            db.session.add(technopark)
            db.session.commit()
            db.session.refresh(technopark)
            db.session.expunge(technopark)
        return technopark

    return make


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database nobody else uses, on the engine this run tests."""
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    server_url = normalise_database_url(TEST_DATABASE_URL).rsplit("/", 1)[0]
    name = "directory_fresh_" + str(os.getpid())
    engine = create_engine(server_url + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url + "/" + name
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; CI must have it, a laptop may skip."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs /usr/bin/chromium for the browser tests")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(seeded_app: Flask) -> Iterator[str]:
    """The seeded app, served for the browser."""
    with served(seeded_app) as url:
        yield url


@pytest.fixture
def auth(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> AuthActions:
    # A cheaper scrypt keeps the many sign-ins fast; the hash format stays the same.
    monkeypatch.setattr(
        "directory.domain.models.generate_password_hash",
        lambda password, method="scrypt": generate_password_hash(password, "scrypt:1024:8:1"),
    )
    return AuthActions(app, client)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a loopback port, for the whole run of this process."""
    with smtp_server_on_loopback() as mailbox:
        yield mailbox


@pytest.fixture
def mailbox(app: Flask, smtp_server: Mailbox) -> Iterator[Mailbox]:
    """The app sends its mail over SMTP to the loopback server; the test reads what arrived."""
    smtp_server.clear()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    yield smtp_server
    smtp_server.release()

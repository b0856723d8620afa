"""Fixtures: an app with a fresh database per test, on SQLite or on TEST_DATABASE_URL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from directory import create_app
from directory.config import normalise_database_url
from directory.extensions import db
from directory.models import Technopark
from directory.search import refresh_search_text

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REPOSITORY = Path(__file__).resolve().parent.parent


def on_postgresql() -> bool:
    """Whether this run uses the PostgreSQL given in TEST_DATABASE_URL."""
    return bool(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def postgresql_schema() -> Iterator[None]:
    """On PostgreSQL, build the schema once per run; tests empty the tables afterwards."""
    if not on_postgresql():
        yield
        return
    app = create_app({"TESTING": True, "DATABASE_URL": TEST_DATABASE_URL})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def empty_every_table() -> None:
    """Remove every row and restart the ids, so the next test starts clean."""
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app(tmp_path: Path, postgresql_schema: None) -> Iterator[Flask]:
    """An app on its own empty database."""
    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        if not on_postgresql():
            db.create_all()
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
def seeded_app(app: Flask, runner: FlaskCliRunner) -> Flask:
    """The app with seed_data/ loaded through the real command."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


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
    """The seeded app served over HTTP on a free loopback port, for the browser."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, seeded_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)

"""SQLite under several processes: WAL, a busy timeout, the write lock taken at once for writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data, on_postgresql
from sqlalchemy import select, text

from directory.db.sqlite import BUSY_TIMEOUT_MS
from directory.domain import operations
from directory.domain.models import Technopark
from directory.extensions import db
from directory.web.auth import views as auth_views

pytestmark = pytest.mark.skipif(on_postgresql(), reason="SQLite's own set-up")
EDIT = "/manage/technoparks/kvantorium-lock/edit"


def database_file(app: Flask) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def another_process_writes(app: Flask) -> str | None:
    """Try to write from another connection without waiting; the error, or None on success."""
    connection = sqlite3.connect(database_file(app), isolation_level=None, timeout=0)
    try:
        connection.execute("PRAGMA busy_timeout=0")
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE technopark SET network = 'другой процесс'")
        connection.execute("COMMIT")
    except sqlite3.OperationalError as error:
        return str(error)
    finally:
        connection.close()
    return None


@pytest.fixture
def lock_setup(
    app: Flask, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> AuthActions:
    make_technopark(slug="kvantorium-lock", name="Кванториум", city="Тула")
    auth.create_user(technoparks=["kvantorium-lock"])
    assert auth.login().status_code == 302
    return auth


def test_every_connection_uses_wal_a_busy_timeout_and_foreign_keys(app: Flask) -> None:
    with app.app_context():
        pragma = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
    assert pragma == {"journal_mode": "wal", "busy_timeout": BUSY_TIMEOUT_MS, "foreign_keys": 1}


def test_a_save_holds_the_write_lock_from_its_first_read(
    app: Flask, client: FlaskClient, lock_setup: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process cannot write between the save's read of the version and its write."""
    attempts: list[str | None] = []
    real_refresh = operations.refresh_search_text

    def another_process_tries(technopark: Technopark) -> None:
        attempts.append(another_process_writes(app))
        real_refresh(technopark)

    monkeypatch.setattr(operations, "refresh_search_text", another_process_tries)
    data = {**form_data(client.get(EDIT).get_data(as_text=True), EDIT), "address": "ул. Ленина, 1"}
    response = client.post(EDIT, data=data)
    assert response.status_code == 302
    assert attempts == ["database is locked"]
    # Once the save is committed, the other process writes after it, from the new version.
    assert another_process_writes(app) is None
    with app.app_context():
        technopark = db.session.execute(select(Technopark)).scalar_one()
        assert (technopark.address, technopark.network) == ("ул. Ленина, 1", "другой процесс")


def test_pages_read_without_blocking_writers(
    app: Flask, client: FlaskClient, lock_setup: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str | None] = []
    real_lookup = operations.may_act_on

    def another_process_tries(*args: Any) -> bool:
        attempts.append(another_process_writes(app))
        return real_lookup(*args)

    monkeypatch.setattr("directory.web.manage.views.may_act_on", another_process_tries)
    assert client.get(EDIT).status_code == 200
    assert attempts == [None]


def test_signing_in_does_not_hold_the_write_lock(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checking a password takes time; other saves must not wait for it."""
    auth.create_user()
    attempts: list[str | None] = []
    real_lookup = auth_views.user_by_email

    def another_process_tries(email: str) -> Any:
        user = real_lookup(email)
        attempts.append(another_process_writes(app))
        return user

    monkeypatch.setattr(auth_views, "user_by_email", another_process_tries)
    assert auth.login().status_code == 302
    assert attempts == [None]


def test_commands_take_the_write_lock_at_once(app: Flask) -> None:
    """A CLI command's first read takes the write lock; a script outside a command does not."""
    attempts: list[str | None] = []

    @app.cli.command("read-and-probe")
    def read_and_probe() -> None:
        db.session.execute(select(Technopark)).all()
        attempts.append(another_process_writes(app))

    result = app.test_cli_runner().invoke(args=["read-and-probe"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.execute(select(Technopark)).all()
        attempts.append(another_process_writes(app))
    assert attempts == ["database is locked", None]

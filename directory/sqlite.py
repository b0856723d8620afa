"""SQLite set up for several processes: WAL, a busy timeout, and BEGIN IMMEDIATE for writes.

Python's sqlite3 driver opens transactions itself, late and as deferred ones. Under several
gunicorn workers that loses updates, or fails with "database is locked" when a reader tries
to become a writer after another process wrote. So the driver's own transaction handling is
switched off and SQLAlchemy's "begin" event opens each transaction: BEGIN IMMEDIATE (the
write lock, waited for up to the busy timeout) for requests that may write and for CLI
commands, plain BEGIN for reads. Readers never wait: WAL lets them read during a write.
PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# How long a writer waits for another process's write to finish before giving up.
BUSY_TIMEOUT_MS = 15_000
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

View = TypeVar("View", bound=Callable[..., Any])


def writes_nothing(view: View) -> View:
    """Mark a POST view that never writes to the database (signing in checks a password:
    holding the write lock during the hash would make every other save wait)."""
    view.writes_nothing = True  # type: ignore[attr-defined]
    return view


def transaction_may_write() -> bool:
    """Whether the transaction about to begin may write: write requests and CLI commands.

    Other code outside a request (the tests, a Python shell) begins as a reader, so that it
    may open a second connection, as Alembic and reflection do, without waiting for itself.
    """
    if not has_request_context():
        return click.get_current_context(silent=True) is not None
    if request.method not in WRITE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "writes_nothing", False)


@event.listens_for(Engine, "connect")
def configure_sqlite_connection(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    """WAL and a busy timeout on every connection; transactions left to the begin event."""
    if not type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    # None stops the driver from issuing BEGIN (and COMMIT before DDL) on its own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def begin_sqlite_transaction(connection: Connection) -> None:
    """Open the transaction ourselves: IMMEDIATE takes the write lock at once."""
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if transaction_may_write() else "BEGIN")

"""SQLite set up for several processes: foreign keys, WAL, a busy timeout, BEGIN IMMEDIATE.

Python's sqlite3 driver opens transactions itself, late and as deferred ones. Under several
gunicorn workers that loses updates, or fails with "database is locked" when a reader tries
to become a writer after another process wrote. So the driver's own transaction handling is
switched off and SQLAlchemy's "begin" event opens each transaction: BEGIN IMMEDIATE (the
write lock, waited for up to the busy timeout) when the caller may write, plain BEGIN for
reads. Readers never wait: WAL lets them read during a write. PostgreSQL needs none of this.

The listeners are attached to one app's engine by attach(); which transactions may write is
the caller's to say (the web layer knows the request, the command line its command).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

# How long a writer waits for another process's write to finish before giving up.
BUSY_TIMEOUT_MS = 15_000


def declare_writer() -> None:
    """Say that this app context's transactions write: a job outside any request or command,
    such as the mail sender's thread, which would otherwise begin as a reader."""
    g.declared_writer = True


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside the block write (BEGIN IMMEDIATE on SQLite), whatever the
    request: a reader that must rebuild derived rows opens its own connection in here."""
    before = g.get("declared_writer", False)
    g.declared_writer = True
    try:
        yield
    finally:
        g.declared_writer = before


def declared_writer() -> bool:
    """Whether the current app context said its transactions write."""
    return has_app_context() and bool(g.get("declared_writer"))


def configure_connection(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys, WAL and a busy timeout on every connection; transactions left to us."""
    # None stops the driver from issuing BEGIN (and COMMIT before DDL) on its own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless each connection asks for them.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def attach(engine: Engine, may_write: Callable[[], bool]) -> None:
    """Set up a SQLite engine; engines of other databases are left as they are."""
    if engine.dialect.name != "sqlite":
        return

    def begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock at once, so a reader never turns into a writer late.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if may_write() else "BEGIN")

    event.listen(engine, "connect", configure_connection)
    event.listen(engine, "begin", begin)

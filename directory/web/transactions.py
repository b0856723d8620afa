"""Which database transactions may write: write requests and command-line commands.

SQLite takes its write lock when such a transaction begins (directory/db/sqlite.py), so a
reader never turns into a writer half-way. Code outside a request (the tests, a Python
shell) begins as a reader, so that it may open a second connection, as Alembic and
reflection do, without waiting for itself; a job that writes outside a request (the mail
sender's thread) declares it (directory/db/sqlite.py declare_writer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import current_app, has_request_context, request

from ..db.sqlite import declared_writer

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

View = TypeVar("View", bound=Callable[..., Any])


def writes_nothing(view: View) -> View:
    """Mark a POST view that never writes to the database (signing in checks a password:
    holding the write lock during the hash would make every other save wait)."""
    view.writes_nothing = True  # type: ignore[attr-defined]
    return view


def transaction_may_write() -> bool:
    """Whether the transaction about to begin may write."""
    if declared_writer():
        return True
    if not has_request_context():
        return click.get_current_context(silent=True) is not None
    if request.method not in WRITE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "writes_nothing", False)

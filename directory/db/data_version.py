"""The data version: one number that every change to public data raises.

Caches of public output (rendered pages, the map's marker data, counts) are keyed by it, so
a change made by any process on any machine sharing the database reaches every cache at the
next request. The number lives in the one-row table data_version and is raised inside the
writing transaction: readers see the new number exactly when they see the new data.

ORM writes raise it on their own, through a before_flush hook (attached by watch) that looks
for new, changed or deleted public rows. Bulk Core statements bypass the ORM and call
bump_data_version().
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import Column, Integer, Table, event, insert, select, update
from sqlalchemy.orm import Session, scoped_session

from ..extensions import db

data_version = Table(
    "data_version",
    db.metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False, default=1),
)
ROW_ID = 1


def current_data_version() -> int:
    """The data version as the current transaction sees it; 0 before any change."""
    version = db.session.execute(
        select(data_version.c.version).where(data_version.c.id == ROW_ID)
    ).scalar_one_or_none()
    return version or 0


def bump_data_version(session: Session | None = None) -> None:
    """Raise the data version in the session's transaction; the caller commits."""
    connection = (session or db.session).connection()
    raised = connection.execute(
        update(data_version)
        .where(data_version.c.id == ROW_ID)
        .values(version=data_version.c.version + 1)
    )
    if raised.rowcount == 0:
        # A database built by create_all (the tests) starts without the row.
        connection.execute(insert(data_version).values(id=ROW_ID, version=1))
    if has_app_context():
        # Whatever this context read next must not be kept under the version read before.
        g.pop("data_version", None)


def changes_public_data(session: Session, public_models: tuple[type, ...]) -> bool:
    """Whether the pending flush adds, changes or deletes a public record."""
    for instance in (*session.new, *session.deleted):
        if isinstance(instance, public_models):
            return True
    return any(
        isinstance(instance, public_models) and session.is_modified(instance)
        for instance in session.dirty
    )


def watch(sessions: scoped_session, public_models: tuple[type, ...]) -> None:
    """Raise the version in the same transaction as any ORM change to these records."""

    def bump_on_public_change(session: Session, flush_context: Any, instances: Any) -> None:
        if changes_public_data(session, public_models):
            bump_data_version(session)

    # Every app in a process shares the one session factory: its hook is attached once.
    factory = sessions.session_factory
    if not getattr(factory, "watches_public_changes", False):
        event.listen(factory, "before_flush", bump_on_public_change)
        factory.watches_public_changes = True

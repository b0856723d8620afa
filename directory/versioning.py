"""The data version: one number that every change to public data raises.

Caches of public output (rendered pages, the map's marker data, counts) are keyed by it, so
a change made by any process on any machine sharing the database reaches every cache at the
next request. The number lives in the one-row table data_version and is raised inside the
writing transaction: readers see the new number exactly when they see the new data.

ORM writes raise it on their own, through a before_flush hook that looks for new, changed or
deleted public rows. Bulk Core statements bypass the ORM and call bump_data_version().
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from .extensions import db
from .models import DataVersion, Direction, NewsArticle, Organization, Program, Technopark

# The records whose change can alter what a visitor sees.
PUBLIC_MODELS = (Technopark, Organization, Program, Direction, NewsArticle)
ROW_ID = 1


def current_data_version() -> int:
    """The data version as the current transaction sees it; 0 before any change."""
    version = db.session.execute(
        select(DataVersion.version).where(DataVersion.id == ROW_ID)
    ).scalar_one_or_none()
    return version or 0


def bump_data_version(session: Session | None = None) -> None:
    """Raise the data version in the session's transaction; the caller commits."""
    connection = (session or db.session).connection()
    raised = connection.execute(
        update(DataVersion).where(DataVersion.id == ROW_ID).values(version=DataVersion.version + 1)
    )
    if raised.rowcount == 0:
        # A database built by create_all (the tests) starts without the row.
        connection.execute(insert(DataVersion).values(id=ROW_ID, version=1))
    if has_app_context():
        # Whatever this context read next must not be kept under the version read before.
        g.pop("data_version", None)


def changes_public_data(session: Session) -> bool:
    """Whether the pending flush adds, changes or deletes a public record."""
    for instance in (*session.new, *session.deleted):
        if isinstance(instance, PUBLIC_MODELS):
            return True
    return any(
        isinstance(instance, PUBLIC_MODELS) and session.is_modified(instance)
        for instance in session.dirty
    )


@event.listens_for(Session, "before_flush")
def bump_on_public_change(session: Session, flush_context: Any, instances: Any) -> None:
    """Raise the version in the same transaction as any ORM change to public data."""
    if changes_public_data(session):
        bump_data_version(session)

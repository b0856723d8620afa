"""A record as it was at an earlier version, and who changed what since, from its history.

Every action that raises a record's version writes its audit rows with the new version
(directory/domain/audit.py), old and new values as text. Going back from the stored record,
the oldest change to each field after version v gives that field's value at v. This is the
base a three-way merge needs when a colleague saved in between (directory/domain/merge.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .audit import as_text
from .dates import as_utc
from .models import AuditEntry, Organization, Program

Texts = dict[str, str | None]


def comparable(name: str, value: Any) -> Any:
    """A field's value as the history stores and compares it: rows become slugs."""
    if name == "directions":
        return sorted(item if isinstance(item, str) else item.slug for item in value or [])
    if isinstance(value, Organization | Program):
        return value.slug
    if isinstance(value, datetime):
        return as_utc(value)
    return value


def texts_of(values: Mapping[str, Any], names: Iterable[str]) -> Texts:
    """The values of these fields as the history writes them."""
    return {name: as_text(comparable(name, values[name])) for name in names if name in values}


def record_texts(record: Any, names: Iterable[str]) -> Texts:
    """A stored record's fields as the history writes them."""
    return {name: as_text(comparable(name, getattr(record, name))) for name in names}


@dataclass
class Change:
    """Saves made after a version: who made them, when, and which fields they changed."""

    fields: dict[str, AuditEntry] = field(default_factory=dict)
    people: list[str] = field(default_factory=list)
    last_at: datetime | None = None


@dataclass
class Past:
    """The record at an earlier version, and what was changed since."""

    texts: Texts
    since: Change


def changes_after(entity_type: str, entity_id: int, version: int) -> list[AuditEntry]:
    """The audit rows of the actions that raised the record past this version, oldest first."""
    return list(
        db.session.execute(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == entity_type,
                AuditEntry.entity_id == entity_id,
                AuditEntry.version > version,
            )
            .options(selectinload(AuditEntry.user))
            .order_by(AuditEntry.version, AuditEntry.id)
        ).scalars()
    )


def at_version(
    entity_type: str, entity_id: int, current: Texts, current_version: int, version: int
) -> Past | None:
    """The fields of `current` as they were at `version`, or None when the history does not
    hold every change since (changes made before versions were recorded)."""
    rows = changes_after(entity_type, entity_id, version)
    if {row.version for row in rows} != set(range(version + 1, current_version + 1)):
        return None
    texts = dict(current)
    since = Change()
    for row in rows:
        who = row.user.name if row.user else row.actor
        if who and who not in since.people:
            since.people.append(who)
        since.last_at = as_utc(row.created_at)
        if row.field in texts and row.field not in since.fields:
            # The oldest change after the version holds the value the field had at it.
            texts[row.field] = row.old_value
        if row.field in texts:
            since.fields[row.field] = row
    return Past(texts, since)

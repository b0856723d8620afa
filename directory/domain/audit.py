"""History: AuditEntry rows written in the same transaction as the change they describe."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..extensions import db
from .models import AuditEntry, User


def as_text(value: Any) -> str | None:
    """A stored value as the history shows it."""
    if value is None:
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(getattr(value, "value", value))


def record_changes(
    entity_type: str,
    entity_id: int,
    action: str,
    changes: Mapping[str, tuple[Any, Any]],
    user: User | None = None,
    actor: str | None = None,
    version: int | None = None,
) -> list[AuditEntry]:
    """One row per changed field, or a single row when an action changes no field.

    version is the record's version after an action that raised it.
    """
    rows = [
        AuditEntry(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            field=field,
            old_value=as_text(old),
            new_value=as_text(new),
            user=user,
            actor=actor,
            version=version,
        )
        for field, (old, new) in changes.items()
    ] or [
        AuditEntry(
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            user=user,
            actor=actor,
            version=version,
        )
    ]
    db.session.add_all(rows)
    return rows

"""Saving a person's edit of a technopark: plainly, or merged with colleagues' saves.

A form carries the version it was opened at. Saved from the current version, an edit is a
plain update. Saved from an older one, it is merged with what colleagues saved since
(directory/domain/merge.py, with the base read back from the history): only the fields this
person changed are written, so no save, conflict page or resubmission ever reverts a field
its author did not touch. The database still refuses a save whose version moved on in the
meantime (UPDATE … WHERE version = …); the caller reloads and saves again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .columns import TECHNOPARK_FIELDS
from .history import Change, at_version, record_texts, texts_of
from .merge import Clash, three_way
from .models import Technopark, User
from .operations import directions_by_slug, update_technopark


@dataclass
class Save:
    """What a save wrote, the colleagues' saves it was merged with, or what clashed."""

    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    merged_with: Change | None = None
    clashes: list[Clash] = field(default_factory=list)
    # Values of the clashing fields as stored now, for the person to compare.
    theirs: dict[str, Any] = field(default_factory=dict)
    # The fields only this person changed, and the sets as merged (see merge.Merged).
    mine: set[str] = field(default_factory=set)
    sets: dict[str, list[str]] = field(default_factory=dict)


def save_technopark(
    technopark: Technopark, values: Mapping[str, Any], user: User, opened_version: int | None
) -> Save:
    """Save the values a person sent from a form opened at opened_version.

    From the current version it is a plain update. From an older one the values are merged
    with what colleagues saved since (directory/domain/merge.py): only fields changed by this
    person are written, so no save ever reverts a field its author did not touch. When both
    changed the same field differently, nothing is written and the clashes are returned.
    """
    if opened_version is None or opened_version >= technopark.version:
        return Save(changes=update_technopark(technopark, values, user))
    names = [name for name in TECHNOPARK_FIELDS if name in values]
    current = record_texts(technopark, names)
    past = at_version("technopark", technopark.id, current, technopark.version, opened_version)
    merged = three_way(past.texts if past else None, texts_of(values, names), current)
    if merged.clashes:
        return Save(
            merged_with=past.since if past else None,
            clashes=merged.clashes,
            theirs={
                name: getattr(technopark, name) for clash in merged.clashes for name in clash.fields
            },
            mine=merged.mine,
            sets=merged.sets,
        )
    chosen = {name: values[name] for name in merged.mine}
    if "directions" in merged.sets:
        chosen["directions"] = directions_by_slug(merged.sets["directions"])
    changes = update_technopark(technopark, chosen, user)
    return Save(changes=changes, merged_with=past.since if past and merged.theirs else None)

"""A three-way merge of a save made from an older version: base, theirs, mine.

For every field, base is its value when my form (or file) was opened, theirs the value stored
now, mine the value I send. Changed only by me: mine is applied. Changed only by them: theirs
is kept. Changed by both to the same value: nothing to do. Changed by both to different values:
a clash, for me to decide. Fields that only make sense together (a position's latitude and
longitude, a date and its precision) are merged as one. A set (the directions) never clashes:
what I added and removed is applied to what is stored now.

Values are compared as the history writes them (directory/domain/history.py), so a base read
back from the history compares exactly with the values of a form or a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Fields merged as one: half a position, or a date without its precision, means nothing.
GROUPS = (
    ("latitude", "longitude"),
    ("opening_date", "opening_date_precision"),
    ("status_as_of", "status_as_of_precision"),
)
SET_FIELDS = frozenset({"directions"})
SET_SEPARATOR = ", "

Texts = Mapping[str, str | None]


@dataclass(frozen=True)
class Clash:
    """Fields both sides changed to different values."""

    fields: tuple[str, ...]
    mine: tuple[str | None, ...]
    theirs: tuple[str | None, ...]


@dataclass
class Merged:
    """What to write of mine, the sets as merged, and what needs a person to decide."""

    mine: set[str] = field(default_factory=set)
    sets: dict[str, list[str]] = field(default_factory=dict)
    clashes: list[Clash] = field(default_factory=list)
    # Fields a colleague changed since the base (kept, or merged with mine).
    theirs: set[str] = field(default_factory=set)


def units(names: set[str]) -> list[tuple[str, ...]]:
    """The fields to merge, grouped where they only make sense together."""
    grouped = [group for group in GROUPS if any(name in names for name in group)]
    alone = [(name,) for name in sorted(names) if not any(name in group for group in GROUPS)]
    return [*grouped, *alone]


def three_way(base: Texts | None, mine: Texts, theirs: Texts) -> Merged:
    """Merge mine into theirs; base None (not known) makes every difference a clash."""
    merged = Merged()
    for unit in units(set(mine)):
        mine_values = tuple(mine.get(name) for name in unit)
        their_values = tuple(theirs.get(name) for name in unit)
        base_values = tuple(base.get(name) for name in unit) if base is not None else None
        if base_values is not None and their_values != base_values:
            merged.theirs.update(unit)
        if unit[0] in SET_FIELDS and base_values is not None:
            merge_set(unit[0], base_values[0], mine_values[0], their_values[0], merged)
        elif mine_values == their_values or mine_values == base_values:
            continue
        elif their_values == base_values:
            merged.mine.update(unit)
        else:
            merged.clashes.append(Clash(unit, mine_values, their_values))
    return merged


def members(text: str | None) -> list[str]:
    return [item for item in (text or "").split(SET_SEPARATOR) if item]


def merge_set(name: str, base: str | None, mine: str | None, theirs: str | None, merged: Merged):
    """What I added and removed since the base, applied to what is stored now."""
    base_items, mine_items = set(members(base)), set(members(mine))
    result = (set(members(theirs)) | (mine_items - base_items)) - (base_items - mine_items)
    if result != set(members(theirs)):
        merged.sets[name] = sorted(result)

"""Saving a person's edit of a record: plainly, or merged with colleagues' saves.

A form carries the version it was opened at. Saved from the current version, an edit is a
plain update. Saved from an older one, it is merged with what colleagues saved since
(directory/domain/merge.py, with the base read back from the history): only the fields this
person changed are written, so no save, conflict page or resubmission ever reverts a field
its author did not touch. The database still refuses a save whose version moved on in the
meantime (UPDATE … WHERE version = …); the caller reloads and saves again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .columns import NEWS_FIELDS, TECHNOPARK_FIELDS
from .history import Change, at_version, record_texts, texts_of
from .merge import Clash, three_way
from .models import NewsArticle, Technopark, User
from .operations import directions_by_slug, update_news_article, update_technopark


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
    """Save the values a person sent from a technopark form opened at opened_version."""

    def write(chosen: dict[str, Any], sets: Mapping[str, list[str]]) -> dict[str, tuple]:
        if "directions" in sets:
            chosen["directions"] = directions_by_slug(sets["directions"])
        return update_technopark(technopark, chosen, user)

    return merged_save("technopark", technopark, TECHNOPARK_FIELDS, values, opened_version, write)


def save_news_article(
    article: NewsArticle, values: Mapping[str, Any], user: User, opened_version: int | None
) -> Save:
    """Save the article's own fields sent from a form opened at opened_version."""

    def write(chosen: dict[str, Any], _sets: Mapping[str, list[str]]) -> dict[str, tuple]:
        return update_news_article(article, chosen, user)

    return merged_save("news_article", article, NEWS_FIELDS, values, opened_version, write)


def merged_save(
    entity_type: str,
    record: Any,
    names: Iterable[str],
    values: Mapping[str, Any],
    opened_version: int | None,
    write: Callable[[dict[str, Any], Mapping[str, list[str]]], dict[str, tuple]],
) -> Save:
    """Write a person's values, merged with colleagues' saves since opened_version.

    From the current version it is a plain update. From an older one only the fields this
    person changed are written, so no save ever reverts a field its author did not touch.
    When both changed the same field differently, nothing is written and the clashes are
    returned. write(chosen, sets) stores the chosen values and the merged sets.
    """
    if opened_version is None or opened_version >= record.version:
        return Save(changes=write(dict(values), {}))
    present = [name for name in names if name in values]
    current = record_texts(record, present)
    past = at_version(entity_type, record.id, current, record.version, opened_version)
    merged = three_way(past.texts if past else None, texts_of(values, present), current)
    since = past.since if past else None
    if merged.clashes:
        return Save(
            merged_with=since,
            clashes=merged.clashes,
            theirs={
                name: getattr(record, name) for clash in merged.clashes for name in clash.fields
            },
            mine=merged.mine,
            sets=merged.sets,
        )
    changes = write({name: values[name] for name in merged.mine}, merged.sets)
    return Save(changes=changes, merged_with=since if merged.theirs else None)

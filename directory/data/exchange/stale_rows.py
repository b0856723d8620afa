"""A row exported at an older version of its technopark, merged with what was saved since.

The export writes each record's version. A row that comes back with an older version than
the one stored is merged as a stale form is (directory/domain/merge.py): the fields the
file changed since its export are written, the colleagues' changes to the others are kept,
and a field both changed differently is an error at the row, so nothing is imported until
the file says which value stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _

from ...domain.audit import as_text
from ...domain.columns import TECHNOPARK_FIELDS
from ...domain.history import at_version, comparable, record_texts, texts_of
from ...domain.merge import three_way
from .rows import RowError, SourceRow

# A file's columns for the fields the merge compares, where their names differ.
FIELD_COLUMNS = {
    "host_organization": ("host_organization_slug", "host_organization_name"),
    "program": ("program_slug", "program_name"),
}
# Stored beside a given column and read from it.
COMES_WITH = {"opening_date": "opening_date_precision", "status_as_of": "status_as_of_precision"}
MERGED = (*TECHNOPARK_FIELDS, "published", "unpublished_reason")


def given_fields(row: SourceRow) -> list[str]:
    """The merged fields this row gives a value for."""
    given = set(row.cells)
    for name, columns in FIELD_COLUMNS.items():
        if given & set(columns):
            given.add(name)
    for name, companion in COMES_WITH.items():
        if name in given:
            given.add(companion)
    return [name for name in MERGED if name in given]


def merge_stale_row(plan: Any, row: SourceRow) -> list[RowError]:
    """Merge a stale row's plan in place; the clashes as errors at its line."""
    existing = plan.existing
    names = given_fields(row)
    current = record_texts(existing, names)
    past = at_version("technopark", existing.id, current, existing.version, plan.version)
    merged = three_way(past.texts if past else None, texts_of(planned(plan), names), current)
    if merged.clashes:
        since = past.since if past else None
        return [
            clash_error(plan.line, clash.fields, clash.mine, clash.theirs, since)
            for clash in merged.clashes
        ]
    plan.fields = frozenset(merged.mine | set(merged.sets))
    if "directions" in merged.sets:
        plan.directions = merged.sets["directions"]
    if "published" not in merged.mine:
        plan.published = existing.published
    if "unpublished_reason" not in merged.mine:
        plan.unpublished_reason = existing.unpublished_reason
    # A confirmation never goes back in time.
    if existing.verified_at is not None and (
        plan.verified_at is None
        or plan.verified_at < comparable("verified_at", existing.verified_at)
    ):
        plan.verified_at = comparable("verified_at", existing.verified_at)
    return []


def planned(plan: Any) -> dict[str, Any]:
    """The row's values with hosts and programmes as the history names them (by slug)."""
    return {
        **plan.values,
        "host_organization": reference(plan.host),
        "program": reference(plan.program),
        "directions": plan.directions,
        "published": plan.published,
        "unpublished_reason": plan.unpublished_reason,
    }


def reference(related: Any) -> str | None:
    if related is None:
        return None
    return related.slug or f"«{related.name}»"


def clash_error(
    line: int,
    fields: Iterable[str],
    mine: Iterable[str | None],
    theirs: Iterable[str | None],
    since: Any,
) -> RowError:
    """A field the file and a colleague both changed, each to another value."""
    fields = list(fields)
    entry = since.fields.get(fields[0]) if since else None
    who = (entry.user.name if entry.user else entry.actor) if entry else None
    return RowError(
        line,
        fields[0],
        _(
            "This file changes it to «%(mine)s», but after the file was exported %(who)s "
            "changed it to «%(theirs)s». Keep one of them in the file and import it again.",
            mine=as_text_of(mine),
            theirs=as_text_of(theirs),
            who=who or _("someone"),
        ),
    )


def as_text_of(values: Iterable[str | None]) -> str:
    return as_text([value or "" for value in values]) or ""

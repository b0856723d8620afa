"""Every imported row is checked by the rules a coordinator's edit is held to, before any write.

The technopark's own fields go through the domain's rules (directory/domain/rules.py); the
columns only a file carries (slug, publication, confirmation time, host and programme
details, news URLs) are checked here. Rows that name an existing slug are checked as that
record would be after the import: columns the file leaves out keep their values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...domain.columns import DERIVED_COLUMNS, TECHNOPARK_COLUMNS, technopark_as_typed
from ...domain.dates import as_utc
from ...domain.models import Direction, LocationPrecision, Organization, Program, Status, Technopark
from ...domain.rules import (
    Checked,
    Choices,
    Refused,
    check_length,
    check_technopark,
    refuse_control_characters,
    slug,
    text_of,
    web_address,
)
from ...extensions import db
from .columns import COLUMNS, utc_text
from .rows import RowError, SourceRow
from .stale_rows import merge_stale_row

T = TypeVar("T")
Progress = Callable[[Sequence[T], str], Iterable[T]]

TRUE_TEXTS = {"true", "yes", "1"}
FALSE_TEXTS = {"false", "no", "0", ""}

# The domain's names for the columns whose names differ.
FIELD = {"host_organization_slug": "host_organization", "program_slug": "program"}
COLUMN = {name: column for column, name in FIELD.items()}
HOST_COLUMNS = ("host_organization_slug", "host_organization_name", "host_organization_website")
PROGRAM_COLUMNS = ("program_slug", "program_name", "program_url")
# A file has no drop-down: an error on these columns lists the values they take.
ALLOWED_VALUES = {
    "status": [status.value for status in Status],
    "location_precision": [precision.value for precision in LocationPrecision],
}


def no_progress(items: Sequence[T], label: str) -> Iterable[T]:
    return items


def parse_published(text: str | None) -> bool:
    """'true' or 'false' (also yes/no, 1/0); empty means a draft."""
    value = (text or "").strip().lower()
    if value in TRUE_TEXTS:
        return True
    if value in FALSE_TEXTS:
        return False
    raise ValueError(text)


def parse_moment(text: str | None) -> datetime | None:
    """An ISO 8601 time, in UTC when it names no zone; None when empty."""
    value = (text or "").strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return as_utc(moment).astimezone(UTC)


@dataclass(frozen=True)
class Related:
    """A host or programme as a row names it: by slug, by name, or both, with its web address."""

    slug: str | None
    name: str | None
    link: str | None

    @property
    def key(self) -> str:
        return self.slug or "name:" + (self.name or "")


@dataclass
class RowPlan:
    """What one checked row will write."""

    line: int
    existing: Technopark | None
    slug: str | None
    values: dict[str, Any]
    host: Related | None
    program: Related | None
    directions: list[str]
    published: bool
    unpublished_reason: str | None
    verified_at: datetime | None
    news_urls: list[str]
    # The version the row was exported at, if it says; a stale row writes only these fields
    # (merged with what was saved since; None: every field it gives).
    version: int | None = None
    fields: frozenset[str] | None = None


def related(slug_text: Any, name: Any, link: Any) -> Related | None:
    slug_text, name, link = text_of(slug_text), text_of(name), text_of(link)
    return Related(slug_text, name, link) if slug_text or name else None


def stored_typed(technopark: Technopark) -> dict[str, Any]:
    """A stored record as a file would type it, for the columns a row leaves out."""
    typed = technopark_as_typed(technopark)
    typed["published"] = "true" if technopark.published else "false"
    typed["unpublished_reason"] = technopark.unpublished_reason
    typed["verified_at"] = utc_text(technopark.verified_at)
    return typed


def row_typed(row: SourceRow, technopark: Technopark | None) -> dict[str, Any]:
    """What a row says per field: the stored record overlaid with the row's cells."""
    typed = stored_typed(technopark) if technopark else {}
    for columns, name in ((HOST_COLUMNS, "host_organization"), (PROGRAM_COLUMNS, "program")):
        # A row that names a host or programme at all names it completely.
        if any(column in row.cells for column in columns):
            typed.pop(name, None)
    for column, value in row.cells.items():
        # A host or programme slug is picked like a drop-down choice: blanks would miss it.
        typed[FIELD.get(column, column)] = value.strip() if column in FIELD else value
    # An empty cell means unknown, and for a position's precision "unknown" is a value.
    if not str(typed.get("location_precision") or "").strip():
        typed.pop("location_precision", None)
    # The file writes each date at its precision: "2017-12" is known to the month.
    typed["opening_date_precision"] = None
    return typed


class FileColumns:
    """The rules of the columns only a file carries, added to a row's checked fields."""

    def __init__(self, typed: Mapping[str, Any], checked: Checked) -> None:
        self.typed, self.checked = typed, checked

    def text(self, name: str) -> str | None:
        return text_of(self.typed.get(name))

    def check(self, name: str, rule: Callable[[], Any]) -> None:
        """Run one rule; its refusal becomes the field's message (one per field)."""
        if name in self.checked.errors:
            return
        try:
            rule()
        except Refused as refusal:
            self.checked.refuse(name, refusal.message)

    def refuse_all(self) -> None:
        self.check("slug", lambda: slug(self.text("slug")))
        self.related(
            "host_organization", "website", _("Give the host's slug or name with its website.")
        )
        self.related("program", "url", _("Give the programme's slug or name with its address."))
        self.check("directions", self.direction_slugs)
        self.check("published", lambda: self.published(self.typed.get("published")))
        self.check("verified_at", lambda: self.verified_at(self.typed.get("verified_at")))
        self.check("version", lambda: row_version(self.typed.get("version")))
        for url in self.typed.get("news_urls") or []:
            try:
                check_length(url, 1000)
                web_address(text_of(url))
            except Refused as refusal:
                self.checked.refuse("news_urls", f"{url}: {refusal.message}")

    def related(self, kind: str, link: str, missing_name: str) -> None:
        """A host or programme: a slug, a name of a column's length, an http(s) address."""
        name_column, link_column = f"{kind}_name", f"{kind}_{link}"
        self.check(name_column, lambda: check_length(self.text(name_column), 300))
        self.check(link_column, lambda: check_length(self.text(link_column), 500))
        self.check(link_column, lambda: web_address(self.text(link_column)))
        self.check(kind, lambda: slug(self.text(kind)))
        if not self.text(kind) and self.text(link_column) and not self.text(name_column):
            self.check(kind, lambda: raise_refused(missing_name))

    def direction_slugs(self) -> None:
        for direction in self.typed.get("directions") or []:
            if len(direction) > 60:
                raise Refused(_("A direction slug has at most 60 characters."))
            slug(direction)

    @staticmethod
    def published(text: str | None) -> None:
        try:
            parse_published(text)
        except ValueError as error:
            raise Refused(_("Write true or false (empty means a draft).")) from error

    @staticmethod
    def verified_at(text: str | None) -> None:
        try:
            moment = parse_moment(text)
        except ValueError as error:
            raise Refused(
                _("Write the time as ISO 8601, such as 2024-05-17T09:30:00+00:00.")
            ) from error
        if moment is not None and moment > datetime.now(UTC):
            raise Refused(_("The confirmation time is in the future."))


def row_version(text: Any) -> int | None:
    """The version a row was exported at: a whole number from 1, or nothing."""
    value = text_of(text)
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise Refused(_("Write the version as the export wrote it: a whole number from 1."))
    return int(value)


def raise_refused(message: str) -> None:
    raise Refused(message)


def check_row(typed: dict[str, Any], choices: Choices) -> Checked:
    """Every rule a row's fields meet; a control character anywhere is refused first."""
    refused = refuse_control_characters(typed)
    if not refused.ok:
        return refused
    checked = check_technopark(typed, choices)
    FileColumns(typed, checked).refuse_all()
    return checked


def plan_of(
    typed: Mapping[str, Any], checked: Checked, line: int, existing: Technopark | None
) -> RowPlan:
    """The checked row as a plan; relations stay slugs until the import writes."""
    urls = [url.strip() for url in typed.get("news_urls") or []]
    return RowPlan(
        line=line,
        existing=existing,
        slug=text_of(typed.get("slug")),
        values={name: checked.values[name] for name in (*TECHNOPARK_COLUMNS, *DERIVED_COLUMNS)},
        host=related(
            typed.get("host_organization"),
            typed.get("host_organization_name"),
            typed.get("host_organization_website"),
        ),
        program=related(typed.get("program"), typed.get("program_name"), typed.get("program_url")),
        directions=checked.values["directions"],
        published=parse_published(typed.get("published")),
        unpublished_reason=text_of(typed.get("unpublished_reason")),
        verified_at=parse_moment(typed.get("verified_at")),
        news_urls=list(dict.fromkeys(urls)),
        version=row_version(typed.get("version")),
    )


def row_errors(checked: Checked, line: int) -> list[RowError]:
    """The row's messages as errors, by column, in the columns' order."""
    errors = []
    for name, messages in checked.errors.items():
        column = COLUMN.get(name, name)
        for message in messages:
            text = str(message)
            if column in ALLOWED_VALUES and name not in ("news_urls",):
                text = f"{text} ({', '.join(ALLOWED_VALUES[column])})"
            errors.append(RowError(line, column, text))
    return sorted(errors, key=error_order)


@dataclass
class Catalogue:
    """What the database holds already, loaded once for the whole file."""

    technoparks: dict[str, Technopark]
    hosts: set[str]
    programs: set[str]
    directions: set[str]

    @classmethod
    def load(cls) -> Catalogue:
        technoparks = db.session.execute(
            select(Technopark).options(
                selectinload(Technopark.host_organization),
                selectinload(Technopark.program),
                selectinload(Technopark.directions),
                selectinload(Technopark.news),
            )
        ).scalars()
        return cls(
            technoparks={technopark.slug: technopark for technopark in technoparks},
            hosts=set(db.session.execute(select(Organization.slug)).scalars()),
            programs=set(db.session.execute(select(Program.slug)).scalars()),
            directions=set(db.session.execute(select(Direction.slug)).scalars()),
        )


def named_in(rows: Iterable[SourceRow], column: str) -> set[str]:
    """Every value the rows give in a column (lists flattened)."""
    found: set[str] = set()
    for row in rows:
        value = row.cells.get(column)
        if isinstance(value, list):
            found.update(value)
        elif value and value.strip():
            found.add(value.strip())
    return found


@dataclass
class RelatedCheck:
    """Hosts (or programmes) across rows: a new one needs a name, and rows must agree on it."""

    kind: str
    known: set[str]
    first: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    nameless: dict[str, list[int]] = field(default_factory=dict)
    named: set[str] = field(default_factory=set)

    def add(self, reference: Related | None, line: int) -> Iterator[RowError]:
        """Errors where this row contradicts an earlier one about the same host."""
        if reference is None:
            return
        if reference.name:
            self.named.add(reference.key)
        elif reference.slug not in self.known:
            self.nameless.setdefault(reference.key, []).append(line)
        for part, value in (("name", reference.name), (self.link_column, reference.link)):
            if not value:
                continue
            seen = self.first.setdefault((reference.key, part), (line, value))
            if seen[1] != value:
                yield RowError(
                    line,
                    f"{self.kind}_{part}",
                    _("Row %(line)s gives «%(value)s» here.", line=seen[0], value=seen[1]),
                )

    @property
    def link_column(self) -> str:
        return "website" if self.kind == "host_organization" else "url"

    def missing_names(self) -> Iterator[RowError]:
        """A slug neither stored nor named anywhere in the file cannot be created."""
        for key, lines in self.nameless.items():
            if key in self.named:
                continue
            for line in lines:
                yield RowError(
                    line,
                    f"{self.kind}_name",
                    _("«%(slug)s» is not stored yet: give its name to create it.", slug=key),
                )


def check_rows(
    rows: Sequence[SourceRow], progress: Progress = no_progress
) -> tuple[list[RowPlan], list[RowError]]:
    """A plan per row, or the errors of every bad row; nothing is written."""
    catalogue = Catalogue.load()
    choices = Choices(
        organizations=frozenset(catalogue.hosts | named_in(rows, "host_organization_slug")),
        programs=frozenset(catalogue.programs | named_in(rows, "program_slug")),
        directions=frozenset(catalogue.directions | named_in(rows, "directions")),
    )
    hosts = RelatedCheck("host_organization", catalogue.hosts)
    programs = RelatedCheck("program", catalogue.programs)
    lines_by_slug: dict[str, int] = {}
    plans, errors = [], []
    for row in progress(rows, _("Checking rows")):
        slug_text = str(row.cells.get("slug") or "").strip()
        existing = catalogue.technoparks.get(slug_text) if slug_text else None
        typed = row_typed(row, existing)
        checked = check_row(typed, choices)
        if not checked.ok:
            errors += row_errors(checked, row.line)
            continue
        if slug_text in lines_by_slug:
            message = _("The slug is also in row %(line)s.", line=lines_by_slug[slug_text])
            errors.append(RowError(row.line, "slug", message))
        elif slug_text:
            lines_by_slug[slug_text] = row.line
        if existing is not None and existing.synthetic:
            message = _("A synthetic benchmark record has this slug.")
            errors.append(RowError(row.line, "slug", message))
        plan = plan_of(typed, checked, row.line, existing)
        if existing is not None and plan.version is not None:
            if plan.version > existing.version:
                message = _(
                    "No version %(version)s of this technopark was ever exported.",
                    version=plan.version,
                )
                errors.append(RowError(row.line, "version", message))
            elif plan.version < existing.version:
                errors += merge_stale_row(plan, row)
        errors += hosts.add(plan.host, row.line)
        errors += programs.add(plan.program, row.line)
        plans.append(plan)
    errors += hosts.missing_names()
    errors += programs.missing_names()
    return plans, sorted(errors, key=error_order)


def pairs(slugs: Iterable[str]) -> list[tuple[str, str]]:
    return [(slug, slug) for slug in sorted(slugs)]


def error_order(error: RowError) -> tuple[int, int]:
    """Errors by line, then by column; whole-file errors first."""
    line = error.line if error.line is not None else 0
    column = COLUMNS.index(error.field) if error.field in COLUMNS else -1
    return line, column

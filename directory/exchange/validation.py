"""Every imported row is checked by the workspace's TechnoparkForm before anything is written.

ImportRowForm is the edit form itself plus the columns only a file carries (slug,
publication, confirmation time, host and programme details, news URLs), so a row is held
to exactly the rules a coordinator's edit is. Rows that name an existing slug are checked
as that record would be after the import: columns the file leaves out keep their values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict
from wtforms import Field, FieldList, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..extensions import db
from ..manage.forms import (
    LOCATION_PRECISION_CHOICES,
    STATUS_CHOICES,
    TechnoparkForm,
    http_url,
    stripped,
    technopark_form_data,
)
from ..manage.queries import as_utc
from ..models import Direction, Organization, Program, Technopark
from .columns import COLUMNS, utc_text
from .rows import RowError, SourceRow

T = TypeVar("T")
Progress = Callable[[Sequence[T], str], Iterable[T]]

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TRUE_TEXTS = {"true", "yes", "1"}
FALSE_TEXTS = {"false", "no", "0", ""}

# The form's names for the columns whose names differ.
FORM_FIELD = {"host_organization_slug": "host_organization", "program_slug": "program"}
COLUMN = {form_field: column for column, form_field in FORM_FIELD.items()}
HOST_COLUMNS = ("host_organization_slug", "host_organization_name", "host_organization_website")
PROGRAM_COLUMNS = ("program_slug", "program_name", "program_url")
# A file has no drop-down: an error on these columns lists the values they take.
ALLOWED_VALUES = {"status": STATUS_CHOICES, "location_precision": LOCATION_PRECISION_CHOICES}


def no_progress(items: Sequence[T], label: str) -> Iterable[T]:
    return items


def check_slug(value: str | None) -> None:
    if value and (len(value) > 120 or not SLUG.match(value)):
        raise ValidationError(
            _(
                "A slug has only Latin lower-case letters, digits and single dashes, "
                "such as kvantorium-tula."
            )
        )


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


class ImportRowForm(TechnoparkForm):
    """The edit form's fields and rules, plus the columns only an imported file has."""

    slug = StringField(validators=[Optional()])
    host_organization_name = StringField(validators=[Optional(), Length(max=300)])
    host_organization_website = StringField(validators=[Optional(), Length(max=500), http_url])
    program_name = StringField(validators=[Optional(), Length(max=300)])
    program_url = StringField(validators=[Optional(), Length(max=500), http_url])
    published = StringField()
    verified_at = StringField()
    news_urls = FieldList(StringField(validators=[Length(max=1000), http_url]))

    def validate_slug(self, field: Field) -> None:
        check_slug(field.data.strip())

    def validate_host_organization(self, field: Field) -> None:
        check_slug(field.data)
        if not field.data and (self.host_organization_website.data or "").strip():
            if not (self.host_organization_name.data or "").strip():
                raise ValidationError(_("Give the host's slug or name with its website."))

    def validate_program(self, field: Field) -> None:
        check_slug(field.data)
        if not field.data and (self.program_url.data or "").strip():
            if not (self.program_name.data or "").strip():
                raise ValidationError(_("Give the programme's slug or name with its address."))

    def validate_directions(self, field: Field) -> None:
        for slug in field.data or []:
            if len(slug) > 60:
                raise ValidationError(_("A direction slug has at most 60 characters."))
            check_slug(slug)

    def validate_published(self, field: Field) -> None:
        try:
            parse_published(field.data)
        except ValueError as error:
            raise ValidationError(_("Write true or false (empty means a draft).")) from error

    def validate_verified_at(self, field: Field) -> None:
        try:
            moment = parse_moment(field.data)
        except ValueError as error:
            raise ValidationError(
                _("Write the time as ISO 8601, such as 2024-05-17T09:30:00+00:00.")
            ) from error
        if moment is not None and moment > datetime.now(UTC):
            raise ValidationError(_("The confirmation time is in the future."))


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
    verified_at: datetime | None
    news_urls: list[str]


def related(slug: str | None, name: str | None, link: str | None) -> Related | None:
    slug, name, link = stripped(slug), stripped(name), stripped(link)
    return Related(slug, name, link) if slug or name else None


def plan_of(form: ImportRowForm, line: int, existing: Technopark | None) -> RowPlan:
    """The checked form's values as a plan; relations stay slugs until the import writes."""
    urls = [entry.data.strip() for entry in form.news_urls]
    return RowPlan(
        line=line,
        existing=existing,
        slug=stripped(form.slug.data),
        values=form.values(),
        host=related(
            form.host_organization.data,
            form.host_organization_name.data,
            form.host_organization_website.data,
        ),
        program=related(form.program.data, form.program_name.data, form.program_url.data),
        directions=list(dict.fromkeys(form.directions.data or [])),
        published=parse_published(form.published.data),
        verified_at=parse_moment(form.verified_at.data),
        news_urls=list(dict.fromkeys(urls)),
    )


def stored_form_data(technopark: Technopark) -> dict[str, Any]:
    """A stored record as the form's input, for the columns a file leaves out."""
    data = technopark_form_data(technopark)
    del data["version"]
    data["published"] = "true" if technopark.published else "false"
    data["verified_at"] = utc_text(technopark.verified_at)
    return data


def row_formdata(row: SourceRow, technopark: Technopark | None) -> MultiDict:
    """The form's input for a row: the stored record overlaid with the row's cells."""
    data = stored_form_data(technopark) if technopark else {}
    for columns, form_field in ((HOST_COLUMNS, "host_organization"), (PROGRAM_COLUMNS, "program")):
        # A row that names a host or programme at all names it completely.
        if any(column in row.cells for column in columns):
            data.pop(form_field, None)
    for column, value in row.cells.items():
        # A host or programme slug is picked like a drop-down choice: blanks would miss it.
        data[FORM_FIELD.get(column, column)] = value.strip() if column in FORM_FIELD else value
    # An empty cell means unknown, and for a position's precision "unknown" is a value.
    if not str(data.get("location_precision", "")).strip():
        data.pop("location_precision", None)
    # The file writes each date at its precision: "2017-12" is known to the month.
    data["opening_date_precision"] = ""
    formdata = MultiDict()
    for name, value in data.items():
        if name == "news_urls":
            for number, url in enumerate(value):
                formdata.add(f"news_urls-{number}", url)
        elif isinstance(value, list):
            for item in value:
                formdata.add(name, item)
        else:
            formdata.add(name, "" if value is None else str(value))
    return formdata


def form_errors(form: ImportRowForm, line: int) -> list[RowError]:
    """The form's messages as row errors, by column, in the columns' order."""
    errors = []
    for name, messages in form.errors.items():
        column = COLUMN.get(name, name)
        if name == "news_urls":
            messages = [
                f"{entry.data}: {message}" for entry in form.news_urls for message in entry.errors
            ]
        for message in messages:
            if column in ALLOWED_VALUES:
                values = ", ".join(choice.value for choice in ALLOWED_VALUES[column])
                message = f"{message} ({values})"
            errors.append(RowError(line, column, str(message)))
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
    choices = {
        "organizations": pairs(catalogue.hosts | named_in(rows, "host_organization_slug")),
        "programs": pairs(catalogue.programs | named_in(rows, "program_slug")),
        "directions": pairs(catalogue.directions | named_in(rows, "directions")),
    }
    hosts = RelatedCheck("host_organization", catalogue.hosts)
    programs = RelatedCheck("program", catalogue.programs)
    lines_by_slug: dict[str, int] = {}
    plans, errors = [], []
    for row in progress(rows, _("Checking rows")):
        slug = str(row.cells.get("slug") or "").strip()
        existing = catalogue.technoparks.get(slug) if slug else None
        form = ImportRowForm(formdata=row_formdata(row, existing), meta={"csrf": False}, **choices)
        if not form.validate():
            errors += form_errors(form, row.line)
            continue
        if slug in lines_by_slug:
            message = _("The slug is also in row %(line)s.", line=lines_by_slug[slug])
            errors.append(RowError(row.line, "slug", message))
        elif slug:
            lines_by_slug[slug] = row.line
        if existing is not None and existing.synthetic:
            message = _("A synthetic benchmark record has this slug.")
            errors.append(RowError(row.line, "slug", message))
        plan = plan_of(form, row.line, existing)
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

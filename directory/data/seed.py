"""Loading seed_data/: the sourced facts the directory starts with.

Idempotent: a second run finds nothing to change. A technopark a person has edited
(edited_by is set) or a command-line import has changed is never overwritten; the seed
only adds missing news links to it.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..domain.audit import record_changes
from ..domain.columns import DESCRIBING_COLUMNS
from ..domain.dates import parse_partial_date
from ..domain.models import (
    AuditEntry,
    DatePrecision,
    Direction,
    LocationPrecision,
    NewsArticle,
    Organization,
    Program,
    Status,
    Technopark,
)
from ..domain.search import refresh_search_text
from ..extensions import db

# Technoparks and articles may be split by region: every file matching these patterns is read,
# in name order, so a new region's records arrive by adding a file.
TECHNOPARK_FILES = "technoparks_*.toml"
NEWS_FILES = "news*.toml"

# The seed sets every column a person edits, plus whether the record is published;
# opening dates arrive as text with their precision and are parsed on their own.
TECHNOPARK_FIELDS = (
    "name",
    "network",
    "mobile",
    "status",
    "status_source_url",
    *DESCRIBING_COLUMNS,
    "published",
    "unpublished_reason",
)


class SeedError(ValueError):
    """A seed file that cannot be loaded as it stands; the message names the record."""


@dataclass
class SeedReport:
    """How many records each kind of change touched."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    kept_edited: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def parse_opening_date(value: str | None) -> tuple[date | None, DatePrecision | None]:
    """A seed's date at the precision its source gives; unknown when the key is absent."""
    if value is None:
        return None, None
    try:
        return parse_partial_date(str(value))
    except ValueError as error:
        raise SeedError(f"Unreadable date {value!r}") from error


def read_records(directory: Path, filename: str, table: str) -> list[dict[str, Any]]:
    """The [[table]] records of one TOML file."""
    with (directory / filename).open("rb") as handle:
        return tomllib.load(handle).get(table, [])


def read_all(directory: Path, pattern: str, table: str, key: str) -> list[dict[str, Any]]:
    """The records of every file matching pattern; a key found twice is a SeedError."""
    records: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob(pattern)):
        for record in read_records(directory, path.name, table):
            if record[key] in seen:
                raise SeedError(
                    f"{table} {record[key]!r} is in {seen[record[key]]} and again in {path.name}"
                )
            seen[record[key]] = path.name
            records.append(record)
    return records


def apply_values(record: object, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the values that differ and return them as {field: (old, new)}."""
    changes = {}
    for name, new in values.items():
        old = getattr(record, name)
        if old != new:
            changes[name] = (old, new)
            setattr(record, name, new)
    return changes


def upsert_by_slug(
    model: type, records: Iterable[Mapping[str, Any]], kind: str, report: SeedReport
) -> dict[str, Any]:
    """Create or update simple records (directions, programmes, hosts); {slug: row}."""
    existing = {row.slug: row for row in db.session.execute(select(model)).scalars()}
    for record in records:
        values = dict(record)
        slug = values.pop("slug")
        row = existing.get(slug)
        if row is None:
            row = existing[slug] = model(slug=slug, **values)
            db.session.add(row)
            report.created[kind] += 1
        elif apply_values(row, values):
            report.updated[kind] += 1
    return existing


def technopark_values(
    record: Mapping[str, Any],
    hosts: Mapping[str, Organization],
    programs: Mapping[str, Program],
) -> dict[str, Any]:
    """The column values a seed record asks for; every unknown fact is None."""
    unknown = set(record) - {
        *TECHNOPARK_FIELDS,
        "slug",
        "host",
        "program",
        "opening_date",
        "status_as_of",
        "directions",
    }
    if unknown:
        raise SeedError(f"Technopark {record['slug']}: unknown keys {sorted(unknown)}")
    opening_date, precision = parse_opening_date(record.get("opening_date"))
    values = {name: record.get(name) for name in TECHNOPARK_FIELDS}
    values["status"] = Status(record.get("status", "open"))
    values["location_precision"] = LocationPrecision(record.get("location_precision", "unknown"))
    values["published"] = bool(record.get("published", True))
    values["mobile"] = bool(record.get("mobile", False))
    values["status_as_of"], values["status_as_of_precision"] = parse_opening_date(
        record.get("status_as_of")
    )
    values["opening_date"] = opening_date
    values["opening_date_precision"] = precision
    values["host_organization"] = lookup(hosts, record.get("host"), record["slug"], "host")
    values["program"] = lookup(programs, record.get("program"), record["slug"], "program")
    return values


def lookup(rows: Mapping[str, Any], slug: str | None, owner: str, what: str) -> Any:
    """The row a seed record refers to by slug, or SeedError naming the bad reference."""
    if slug is None:
        return None
    if slug not in rows:
        raise SeedError(f"Technopark {owner}: unknown {what} {slug!r}")
    return rows[slug]


def imported_technopark_ids() -> set[int]:
    """Technoparks a command-line import changed: it edits for a person, though none signed in."""
    return set(
        db.session.execute(
            select(AuditEntry.entity_id).where(
                AuditEntry.entity_type == "technopark",
                AuditEntry.actor == "import",
                AuditEntry.action == "import",
            )
        ).scalars()
    )


def seed_technoparks(
    records: Iterable[Mapping[str, Any]],
    hosts: Mapping[str, Organization],
    programs: Mapping[str, Program],
    directions: Mapping[str, Direction],
    report: SeedReport,
) -> dict[str, Technopark]:
    """Create new technoparks and bring unedited ones in line with the seed."""
    existing = {row.slug: row for row in db.session.execute(select(Technopark)).scalars()}
    imported = imported_technopark_ids()
    for record in records:
        slug = record["slug"]
        values = technopark_values(record, hosts, programs)
        wanted_directions = [
            lookup(directions, name, slug, "direction") for name in record.get("directions", [])
        ]
        technopark = existing.get(slug)
        if technopark is not None and (
            technopark.edited_by_id is not None or technopark.id in imported
        ):
            report.kept_edited.append(slug)
            continue
        if technopark is None:
            technopark = existing[slug] = Technopark(slug=slug, **values)
            technopark.directions = wanted_directions
            refresh_search_text(technopark)
            db.session.add(technopark)
            db.session.flush()
            record_changes("technopark", technopark.id, "create", {}, actor="seed", version=1)
            report.created["technopark"] += 1
            continue
        changes = apply_values(technopark, values)
        if sorted(d.slug for d in technopark.directions) != sorted(record.get("directions", [])):
            changes["directions"] = (
                [d.slug for d in technopark.directions],
                [d.slug for d in wanted_directions],
            )
            technopark.directions = wanted_directions
        if changes:
            refresh_search_text(technopark)
            db.session.flush()
            record_changes(
                "technopark",
                technopark.id,
                "edit",
                changes,
                actor="seed",
                version=technopark.version,
            )
            report.updated["technopark"] += 1
    return existing


def seed_news(
    records: Iterable[Mapping[str, Any]], technoparks: Mapping[str, Technopark], report: SeedReport
) -> None:
    """Create or update articles by URL and add their links to technoparks."""
    existing = {row.url: row for row in db.session.execute(select(NewsArticle)).scalars()}
    for record in records:
        values = {
            "title": record.get("title"),
            "outlet": record.get("outlet"),
            "published_on": parse_opening_date(record.get("published_on"))[0],
            "summary": record.get("summary"),
            "language": record.get("language", "ru"),
        }
        article = existing.get(record["url"])
        if article is None:
            article = existing[record["url"]] = NewsArticle(url=record["url"], **values)
            db.session.add(article)
            report.created["news"] += 1
        elif apply_values(article, values):
            report.updated["news"] += 1
        for slug in record.get("technoparks", []):
            technopark = lookup(technoparks, slug, record["url"], "technopark")
            if technopark not in article.technoparks:
                article.technoparks.append(technopark)
                report.updated["news link"] += 1


def load_seed(directory: Path) -> SeedReport:
    """Load every seed file in dependency order; flushes, the caller commits."""
    report = SeedReport()
    directions = upsert_by_slug(
        Direction, read_records(directory, "directions.toml", "direction"), "direction", report
    )
    programs = upsert_by_slug(
        Program, read_records(directory, "programs.toml", "program"), "program", report
    )
    hosts = upsert_by_slug(
        Organization,
        read_records(directory, "organizations.toml", "organization"),
        "organization",
        report,
    )
    records = read_all(directory, TECHNOPARK_FILES, "technopark", key="slug")
    technoparks = seed_technoparks(records, hosts, programs, directions, report)
    seed_news(read_all(directory, NEWS_FILES, "article", key="url"), technoparks, report)
    db.session.flush()
    return report

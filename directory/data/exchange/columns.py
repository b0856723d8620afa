"""The open-data columns: one technopark as a flat record, the same in CSV, JSON and GeoJSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ...domain.columns import DESCRIBING_COLUMNS, described_as_typed
from ...domain.dates import as_utc, iso_at_precision
from ...domain.models import Technopark

# The column order of every export; an import takes any subset of them, in any order.
COLUMNS = (
    "slug",
    "name",
    "network",
    "host_organization_slug",
    "host_organization_name",
    "host_organization_website",
    "program_slug",
    "program_name",
    "program_url",
    "mobile",
    "opening_date",
    "status",
    "status_as_of",
    "status_source_url",
    *DESCRIBING_COLUMNS,
    "published",
    "unpublished_reason",
    "verified_at",
    "directions",
    "news_urls",
    "version",
)
# Columns that hold several values: a list in JSON, "; "-separated in CSV.
LIST_COLUMNS = ("directions", "news_urls")
LIST_SEPARATOR = "; "
# Written only by `export --include-synthetic`; an import refuses it, so benchmark records
# can never come back in as real listings.
SYNTHETIC_COLUMN = "synthetic"


def utc_text(moment: datetime | None) -> str | None:
    """A stored time as ISO 8601 in UTC, whatever the database returned."""
    return as_utc(moment).astimezone(UTC).isoformat() if moment else None


def technopark_record(technopark: Technopark, include_synthetic: bool = False) -> dict[str, Any]:
    """Every exported fact of one technopark, as JSON types, in COLUMNS order.

    Directions and news are sorted by slug and URL, not by the stored names or dates,
    so the same facts give the same file on any database.
    """
    host = technopark.host_organization
    program = technopark.program
    record: dict[str, Any] = {
        "slug": technopark.slug,
        "name": technopark.name,
        "network": technopark.network,
        "host_organization_slug": host.slug if host else None,
        "host_organization_name": host.name if host else None,
        "host_organization_website": host.website if host else None,
        "program_slug": program.slug if program else None,
        "program_name": program.name if program else None,
        "program_url": program.url if program else None,
        "opening_date": iso_at_precision(
            technopark.opening_date, technopark.opening_date_precision
        ),
        "mobile": technopark.mobile,
        "status": technopark.status.value,
        "status_as_of": iso_at_precision(
            technopark.status_as_of, technopark.status_as_of_precision
        ),
        "status_source_url": technopark.status_source_url,
        **described_as_typed(technopark),
        "published": technopark.published,
        "unpublished_reason": technopark.unpublished_reason,
        "verified_at": utc_text(technopark.verified_at),
        "directions": sorted(direction.slug for direction in technopark.directions),
        "news_urls": sorted(article.url for article in technopark.news),
        "version": technopark.version,
    }
    if include_synthetic:
        record[SYNTHETIC_COLUMN] = technopark.synthetic
    return record

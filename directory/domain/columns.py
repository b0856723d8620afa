"""The technopark's columns as people read and write them: the form, the file exchange, the seed.

One list of names and one way to write a stored record as typed text, so the edit form's
starting values, the export's columns and the seed's keys never drift apart.
"""

from __future__ import annotations

from typing import Any

from .dates import iso_at_precision
from .models import Technopark

# Where a technopark is, who it is for, how to reach it and where the facts come from:
# stored as typed, and read and written under these names by the form, the export and the seed.
DESCRIBING_COLUMNS = (
    "city",
    "district",
    "address",
    "latitude",
    "longitude",
    "location_precision",
    "location_note",
    "age_min",
    "age_max",
    "website",
    "phone",
    "email",
    "description",
    "sources",
)
# The columns a person edits through the technopark form, in the form's order.
TECHNOPARK_COLUMNS = (
    "name",
    "network",
    "opening_date",
    "opening_date_precision",
    "status",
    *DESCRIBING_COLUMNS,
)
TECHNOPARK_RELATIONS = ("host_organization", "program", "directions")
TECHNOPARK_FIELDS = (*TECHNOPARK_COLUMNS, *TECHNOPARK_RELATIONS)

NEWS_FIELDS = ("url", "title", "outlet", "published_on", "summary", "language")


def described_as_typed(technopark: Technopark) -> dict[str, Any]:
    """The describing columns as a person types them: stored values, choices as their value."""
    values = {column: getattr(technopark, column) for column in DESCRIBING_COLUMNS}
    values["location_precision"] = technopark.location_precision.value
    return values


def technopark_as_typed(technopark: Technopark) -> dict[str, Any]:
    """Every editable field as a person types it: dates at their precision, relations as slugs."""
    precision = technopark.opening_date_precision
    return {
        "name": technopark.name,
        "network": technopark.network,
        "host_organization": technopark.host_organization.slug
        if technopark.host_organization
        else "",
        "program": technopark.program.slug if technopark.program else "",
        "opening_date": iso_at_precision(technopark.opening_date, precision) or "",
        "opening_date_precision": precision.value if precision else "",
        "status": technopark.status.value,
        **described_as_typed(technopark),
        "directions": [direction.slug for direction in technopark.directions],
    }

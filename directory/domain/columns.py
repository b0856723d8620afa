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
    "region",
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
    "enrolment_url",
    "description",
    "sources",
)
# The columns a person edits through the technopark form, in the form's order.
TECHNOPARK_COLUMNS = (
    "name",
    "network",
    "mobile",
    "opening_date",
    "opening_date_precision",
    "status",
    "status_as_of",
    "status_source_url",
    *DESCRIBING_COLUMNS,
)
TECHNOPARK_RELATIONS = ("host_organization", "program", "directions")
# What a person types: the form's fields, a file's technopark columns.
TYPED_FIELDS = (*TECHNOPARK_COLUMNS, *TECHNOPARK_RELATIONS)
# Stored beside a typed value and read from it: "2017-10" is known to the month.
DERIVED_COLUMNS = ("status_as_of_precision",)
# What an edit writes.
TECHNOPARK_FIELDS = (*TYPED_FIELDS, *DERIVED_COLUMNS)

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
        "mobile": technopark.mobile,
        "opening_date": iso_at_precision(technopark.opening_date, precision) or "",
        "opening_date_precision": precision.value if precision else "",
        "status": technopark.status.value,
        "status_as_of": iso_at_precision(technopark.status_as_of, technopark.status_as_of_precision)
        or "",
        "status_source_url": technopark.status_source_url,
        **described_as_typed(technopark),
        "directions": [direction.slug for direction in technopark.directions],
    }

"""Exports: the public downloads (published records) and the complete command-line export."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...domain.models import Technopark
from ...domain.public import public_conditions
from ...extensions import db
from .columns import COLUMNS, SYNTHETIC_COLUMN, technopark_record
from .csv_format import write_csv
from .geojson import write_geojson
from .json_format import write_json


@dataclass(frozen=True)
class ExportFormat:
    """How one format is written, served and named."""

    media_type: str
    filename: str
    write: Callable[[Iterable[Mapping[str, Any]], Sequence[str]], bytes]


FORMATS = {
    "csv": ExportFormat("text/csv; charset=utf-8", "technoparks.csv", write_csv),
    "json": ExportFormat("application/json", "technoparks.json", write_json),
    "geojson": ExportFormat("application/geo+json", "technoparks.geojson", write_geojson),
}


def technoparks_to_export(published_only: bool, include_synthetic: bool) -> list[Technopark]:
    """The records of an export with everything they show loaded, ordered by slug.

    The order is Python's, by code point, so SQLite and PostgreSQL collations never differ.
    """
    statement = select(Technopark).options(
        selectinload(Technopark.host_organization),
        selectinload(Technopark.program),
        selectinload(Technopark.directions),
        selectinload(Technopark.news),
    )
    if published_only:
        statement = statement.where(*public_conditions())
    elif not include_synthetic:
        statement = statement.where(Technopark.synthetic.is_(False))
    return sorted(db.session.execute(statement).scalars(), key=lambda technopark: technopark.slug)


def export_technoparks(
    format_name: str, published_only: bool, include_synthetic: bool = False
) -> bytes:
    """The file's bytes: every column, one record per technopark."""
    columns = (*COLUMNS, SYNTHETIC_COLUMN) if include_synthetic else COLUMNS
    records = [
        technopark_record(technopark, include_synthetic)
        for technopark in technoparks_to_export(published_only, include_synthetic)
    ]
    return FORMATS[format_name].write(records, columns)

"""GeoJSON (RFC 7946): a FeatureCollection with one Point [longitude, latitude] per technopark.

A technopark without a sourced position keeps its Feature with "geometry": null, so the
file lists every record; map libraries such as Leaflet skip such features.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .json_format import dump

POSITION = ("latitude", "longitude")


def feature(record: Mapping[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """One technopark as a Feature; its other columns become the properties."""
    latitude, longitude = record.get("latitude"), record.get("longitude")
    geometry = None
    if latitude is not None and longitude is not None:
        geometry = {"type": "Point", "coordinates": [longitude, latitude]}
    return {
        "type": "Feature",
        "id": record["slug"],
        "geometry": geometry,
        "properties": {column: record.get(column) for column in columns if column not in POSITION},
    }


def write_geojson(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """The records as a FeatureCollection."""
    return dump(
        {
            "type": "FeatureCollection",
            "features": [feature(record, columns) for record in records],
        }
    )

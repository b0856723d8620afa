"""The map's marker data: compact rows of the placed technoparks a search selects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, select

from .extensions import db
from .models import LocationPrecision, Organization, Technopark
from .search import Point, haversine_km, in_box

MARKER_FIELDS = ("slug", "name", "city", "host", "lat", "lon", "approximate")


def marker_rows(
    conditions: Sequence[ColumnElement[bool]],
    origin: Point | None = None,
    radius_km: float | None = None,
) -> list[list[Any]]:
    """One short row per matching technopark with a position, in MARKER_FIELDS order.

    Rows of plain columns rather than ORM objects or GeoJSON features keep both the query
    and the payload small when the map holds many listings.
    """
    within_radius = origin is not None and radius_km is not None
    query = (
        select(
            Technopark.slug,
            Technopark.name,
            Technopark.city,
            Organization.name,
            Technopark.latitude,
            Technopark.longitude,
            Technopark.location_precision,
        )
        .outerjoin(Organization, Technopark.host_organization)
        .where(*conditions, Technopark.latitude.is_not(None))
        .order_by(Technopark.id)
    )
    if within_radius:
        query = query.where(in_box(origin, radius_km))
    return [
        [slug, name, city, host, lat, lon, int(precision != LocationPrecision.BUILDING)]
        for slug, name, city, host, lat, lon, precision in db.session.execute(query)
        if not within_radius or haversine_km(origin, Point(lat, lon)) <= radius_km
    ]

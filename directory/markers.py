"""The map's marker data: compact rows of the placed technoparks a query selects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from .extensions import db
from .models import LocationPrecision, Organization, Technopark

MARKER_FIELDS = ("slug", "name", "city", "host", "lat", "lon", "approximate")


def marker_rows(technoparks: Select[tuple[Technopark]]) -> list[list[Any]]:
    """One short row per technopark with a position, in the order of MARKER_FIELDS.

    Rows rather than GeoJSON features keep the payload small when the map holds many listings.
    """
    selected_ids = technoparks.with_only_columns(Technopark.id).order_by(None).subquery()
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
        .where(Technopark.id.in_(select(selected_ids.c.id)), Technopark.latitude.is_not(None))
        .order_by(Technopark.id)
    )
    return [
        [slug, name, city, host, lat, lon, int(precision != LocationPrecision.BUILDING)]
        for slug, name, city, host, lat, lon, precision in db.session.execute(query)
    ]

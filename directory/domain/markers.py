"""The map's marker data: compact rows of the placed technoparks a search selects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, select

from ..extensions import db
from .geo import Point, haversine_km
from .models import LocationPrecision, Organization, Technopark
from .search import in_box

MARKER_FIELDS = ("slug", "name", "city", "host", "lat", "lon", "approximate")
# About a metre: finer digits only make the payload longer.
COORDINATE_DIGITS = 5


def marker_payload(
    conditions: Sequence[ColumnElement[bool]],
    origin: Point | None = None,
    radius_km: float | None = None,
) -> dict[str, Any]:
    """One short row per matching technopark with a position, in MARKER_FIELDS order.

    Rows of plain values rather than ORM objects or GeoJSON features keep both the query and
    the payload small when the map holds 100 000 listings. A city or host name, shared by
    many rows, is written once in "cities" or "hosts" and each row holds its position there
    (null for no host).
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
            # Computed by the database: no enum conversion for each of many rows.
            case((Technopark.location_precision == LocationPrecision.BUILDING, 0), else_=1),
        )
        .outerjoin(Organization, Technopark.host_organization)
        .where(*conditions, Technopark.latitude.is_not(None))
        .order_by(Technopark.id)
    )
    if within_radius:
        query = query.where(in_box(origin, radius_km))
    rows = db.session.connection().execute(query).all()
    if within_radius:
        rows = [row for row in rows if haversine_km(origin, Point(row[4], row[5])) <= radius_km]
    cities: dict[str, int] = {}
    hosts: dict[str, int] = {}
    city_index, host_index = cities.setdefault, hosts.setdefault
    return {
        "fields": MARKER_FIELDS,
        "rows": [
            [
                slug,
                name,
                city_index(city, len(cities)),
                None if host is None else host_index(host, len(hosts)),
                round(lat, COORDINATE_DIGITS),
                round(lon, COORDINATE_DIGITS),
                approximate,
            ]
            for slug, name, city, host, lat, lon, approximate in rows
        ],
        # Filled while the rows were written, so listed after them.
        "cities": list(cities),
        "hosts": list(hosts),
    }

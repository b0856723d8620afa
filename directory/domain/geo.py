"""Distances on the sphere: great-circle distance and the box around a circle.

Everything that measures how far a technopark is (the search, the map data, the benchmark
records) measures it here, the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The mean Earth radius (IUGG); distances are on a sphere, good to about 0.5 %.
EARTH_RADIUS_KM = 6371.0088
# No two points on Earth are farther apart than this.
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM


@dataclass(frozen=True)
class Point:
    """A position on Earth in decimal degrees (WGS84)."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class Box:
    """Latitude and longitude ranges holding every point of a circle.

    Longitudes are one range, or two where the circle crosses the antimeridian; None when
    the circle holds a pole or half the globe, so any longitude may be inside.
    """

    south: float
    north: float
    longitudes: tuple[tuple[float, float], ...] | None


def haversine_km(a: Point, b: Point) -> float:
    """The great-circle distance between two points, in kilometres."""
    lat_a, lat_b = math.radians(a.latitude), math.radians(b.latitude)
    half_dlat = (lat_b - lat_a) / 2
    half_dlon = math.radians(b.longitude - a.longitude) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat_a) * math.cos(lat_b) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def box_around(origin: Point, reach_km: float) -> Box:
    """The smallest latitude/longitude box around the circle of reach_km on the sphere."""
    # A hair wider than the circle, so rounding never leaves a point on its edge outside.
    angle = reach_km / EARTH_RADIUS_KM * (1 + 1e-9) + 1e-12
    latitude = math.radians(origin.latitude)
    south, north = latitude - angle, latitude + angle
    south_deg = math.degrees(max(south, -math.pi / 2))
    north_deg = math.degrees(min(north, math.pi / 2))
    spread = math.sin(angle) / math.cos(latitude) if abs(latitude) < math.pi / 2 else 2.0
    if south <= -math.pi / 2 or north >= math.pi / 2 or angle >= math.pi / 2 or spread >= 1:
        return Box(south_deg, north_deg, None)
    half_width = math.degrees(math.asin(spread))
    west, east = origin.longitude - half_width, origin.longitude + half_width
    if west < -180:
        ranges: tuple[tuple[float, float], ...] = ((west + 360, 180.0), (-180.0, east))
    elif east > 180:
        ranges = ((west, 180.0), (-180.0, east - 360))
    else:
        ranges = ((west, east),)
    return Box(south_deg, north_deg, ranges)

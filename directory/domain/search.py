"""The one query behind the public list, the map data and the API.

Filters narrow the published, non-synthetic technoparks; a search from a point ranks them by
great-circle distance. The nearest ones are found without reading every row: a bounding box
on the indexed latitude and longitude (ix_technopark_position) is widened until it holds
enough of them, and only those candidates are measured exactly, in Python, the same way on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import selectinload

from ..db.memo import remember
from ..db.text_index import text_conditions
from ..extensions import db
from .geo import HALF_CIRCUMFERENCE_KM, Point, box_around, haversine_km
from .models import Direction, Status, Technopark
from .public import public_conditions
from .text import fold

# How many cities the filter form offers at most.
CITY_CHOICES = 100
# The first box around a point; it doubles until it holds the technoparks asked for.
FIRST_REACH_KM = 10.0


@dataclass(frozen=True)
class Filters:
    """What a parent narrows the list by; None means "any"."""

    text: str | None = None
    city: str | None = None
    direction: str | None = None
    age: int | None = None
    status: Status | None = None


@dataclass
class SearchResult:
    """One page of technoparks, how many match in all, and distances when measured."""

    technoparks: list[Technopark]
    total: int
    page: int
    per_page: int
    # Kilometres from the search point, by technopark id; empty without a point.
    distances: dict[int, float] = field(default_factory=dict)
    # Matching technoparks left out of a distance list because they have no position.
    unplaced: int = 0

    @property
    def pages(self) -> int:
        """How many pages the whole result fills (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))


def with_listing_rows(query: Select[tuple[Technopark]]) -> Select[tuple[Technopark]]:
    """Load what the list, the map and the API show up front: no query per row."""
    return query.options(
        selectinload(Technopark.host_organization),
        selectinload(Technopark.program),
        selectinload(Technopark.directions),
    )


def filter_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """The WHERE clauses for public technoparks matching the filters."""
    conditions = public_conditions()
    if filters.text:
        # search_text is stored folded, so folded words match on SQLite and PostgreSQL alike,
        # where LOWER and LIKE would fold only ASCII. Every word must match; a trigram index
        # finds them without reading every row (directory/db/text_index.py).
        dialect = db.session.get_bind().dialect.name
        words = fold(filters.text).split()
        conditions.extend(text_conditions(dialect, Technopark.search_text, Technopark.id, words))
    if filters.city:
        conditions.append(city_condition(filters.city))
    if filters.direction:
        conditions.append(Technopark.directions.any(Direction.slug == filters.direction))
    if filters.age is not None:
        # A bound nobody has given is open: a park "from 10" takes a 15-year-old.
        conditions.append(or_(Technopark.age_min.is_(None), Technopark.age_min <= filters.age))
        conditions.append(or_(Technopark.age_max.is_(None), Technopark.age_max >= filters.age))
    if filters.status is not None:
        conditions.append(Technopark.status == filters.status)
    return conditions


def public_cities() -> list[str]:
    """The cities that have a public technopark, by name; read once per data version."""
    return remember(
        "public_cities",
        lambda: list(
            db.session.execute(
                select(Technopark.city)
                .where(*public_conditions())
                .distinct()
                .order_by(Technopark.city)
            ).scalars()
        ),
    )


def city_choices() -> list[str]:
    """The cities the filter form offers: those with the most public technoparks, by name.

    At most CITY_CHOICES, so the page stays the same size however many cities the directory
    reaches; any other city is still found by typing it as a place, or with ?city=.
    """

    def busiest() -> list[str]:
        listed = func.count().label("listed")
        rows = db.session.execute(
            select(Technopark.city, listed)
            .where(*public_conditions())
            .group_by(Technopark.city)
            .order_by(listed.desc(), Technopark.city)
            .limit(CITY_CHOICES)
        ).scalars()
        return sorted(rows)

    return remember("city_choices", busiest)


def city_condition(city: str) -> ColumnElement[bool]:
    """Technoparks in this city, however the visitor capitalised it or spelt ё."""
    wanted = fold(city)
    spellings = [name for name in public_cities() if fold(name) == wanted]
    return Technopark.city.in_(spellings) if spellings else false()


def direction_slugs() -> set[str]:
    """Every direction a visitor may filter by."""
    return set(db.session.execute(select(Direction.slug)).scalars())


def all_directions() -> Sequence[Direction]:
    """The directions for the filter form, by name."""
    return db.session.execute(select(Direction).order_by(Direction.name)).scalars().all()


def search_technoparks(
    filters: Filters,
    origin: Point | None = None,
    radius_km: float | None = None,
    page: int = 1,
    per_page: int = 50,
) -> SearchResult:
    """One page of matching technoparks: nearest first from origin, else by city and name."""
    if origin is not None:
        return nearest_technoparks(filters, origin, radius_km, page, per_page)
    conditions = filter_conditions(filters)
    total = count(conditions, ("total", filters))
    query = (
        select(Technopark)
        .where(*conditions)
        .order_by(Technopark.city, Technopark.name, Technopark.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    technoparks = list(db.session.execute(with_listing_rows(query)).scalars())
    return SearchResult(technoparks, total, page, per_page)


def count(conditions: Sequence[ColumnElement[bool]], key: Hashable) -> int:
    """How many technoparks meet the conditions, which key names; kept per data version.

    Counting 100 000 rows for every page would cost more than the rest of the page.
    """
    return remember(
        ("count", key),
        lambda: db.session.execute(
            select(func.count()).select_from(Technopark).where(*conditions)
        ).scalar_one(),
    )


def nearest_technoparks(
    filters: Filters,
    origin: Point,
    radius_km: float | None,
    page: int,
    per_page: int,
) -> SearchResult:
    """One page of the matching technoparks with a position, nearest to origin first."""
    conditions = filter_conditions(filters)
    unplaced = count([*conditions, Technopark.latitude.is_(None)], ("unplaced", filters))
    offset = (page - 1) * per_page
    if radius_km is None:
        # Every placed technopark is in the list: the total is a plain count, and only the
        # first offset + per_page of them need to be found.
        total = count([*conditions, Technopark.latitude.is_not(None)], ("placed", filters))
        # A page past the end needs no ranking at all.
        wanted = min(offset + per_page, total) if offset < total else 0
        ranked = nearest_ids(conditions, origin, wanted, HALF_CIRCUMFERENCE_KM)
    else:
        # Within a radius the total is how many lie inside it, so the whole circle is measured.
        ranked = nearest_ids(conditions, origin, None, radius_km)
        total = len(ranked)
    chosen = ranked[offset : offset + per_page]
    technoparks = technoparks_in_order([technopark_id for _, technopark_id in chosen])
    distances = {technopark_id: distance for distance, technopark_id in chosen}
    return SearchResult(technoparks, total, page, per_page, distances, unplaced)


def nearest_ids(
    conditions: Sequence[ColumnElement[bool]],
    origin: Point,
    wanted: int | None,
    limit_km: float,
) -> list[tuple[float, int]]:
    """(distance km, id) of the `wanted` nearest matches within limit_km, nearest first.

    With wanted=None, every match within limit_km. The search box starts small and doubles
    until it holds enough matches; a match counts only once it is inside the circle the box
    was drawn around, so nothing nearer can lie outside the box.
    """
    if wanted == 0:
        return []
    reach = min(FIRST_REACH_KM, limit_km) if wanted is not None else limit_km
    while True:
        rows = db.session.execute(
            select(Technopark.id, Technopark.latitude, Technopark.longitude).where(
                *conditions, in_box(origin, reach)
            )
        ).all()
        inside = []
        for technopark_id, latitude, longitude in rows:
            distance = haversine_km(origin, Point(latitude, longitude))
            if distance <= reach:
                inside.append((distance, technopark_id))
        if wanted is None:
            return sorted(inside)
        if len(inside) >= wanted or reach >= limit_km:
            return heapq.nsmallest(wanted, inside)
        reach = min(reach * 2, limit_km)


def technoparks_in_order(ids: Sequence[int]) -> list[Technopark]:
    """The technoparks with these ids, related rows loaded, in the order given."""
    if not ids:
        return []
    rows = db.session.execute(
        with_listing_rows(select(Technopark).where(Technopark.id.in_(ids)))
    ).scalars()
    by_id = {technopark.id: technopark for technopark in rows}
    return [by_id[technopark_id] for technopark_id in ids]


def placed_technoparks(
    filters: Filters, origin: Point | None = None, radius_km: float | None = None
) -> list[tuple[Technopark, float | None]]:
    """Every matching technopark with a position, for the map; within radius_km of origin.

    With an origin, each comes with its distance in km and the nearest come first.
    """
    conditions = [*filter_conditions(filters), Technopark.latitude.is_not(None)]
    if origin is not None and radius_km is not None:
        conditions.append(in_box(origin, radius_km))
    query = with_listing_rows(
        select(Technopark).where(*conditions).order_by(Technopark.city, Technopark.name)
    )
    technoparks = db.session.execute(query).scalars().all()
    if origin is None:
        return [(technopark, None) for technopark in technoparks]
    measured = [
        (technopark, haversine_km(origin, Point(technopark.latitude, technopark.longitude)))
        for technopark in technoparks
    ]
    if radius_km is not None:
        measured = [(technopark, km) for technopark, km in measured if km <= radius_km]
    return sorted(measured, key=lambda pair: (pair[1], pair[0].id))


def in_box(origin: Point, reach_km: float) -> ColumnElement[bool]:
    """Technoparks inside the bounding box of the circle, found through ix_technopark_position.

    The box sits in a subquery of its own: beside it, SQLite's planner would rather walk the
    index on `published` or `synthetic`, which every public row shares.
    """
    return Technopark.id.in_(select(Technopark.id).where(*bounding_box(origin, reach_km)))


def bounding_box(origin: Point, reach_km: float) -> list[ColumnElement[bool]]:
    """Conditions on latitude and longitude that hold for every point within reach_km."""
    box = box_around(origin, reach_km)
    conditions: list[ColumnElement[bool]] = [Technopark.latitude.between(box.south, box.north)]
    if box.longitudes is None:
        # A pole lies inside the circle, or the circle is half the globe: any longitude.
        conditions.append(Technopark.longitude.is_not(None))
    else:
        conditions.append(
            or_(*(Technopark.longitude.between(west, east) for west, east in box.longitudes))
        )
    return conditions


def searchable_text(technopark: Technopark) -> str:
    """The folded words a text query matches: name, network, host, directions, place."""
    host = technopark.host_organization
    parts = [
        technopark.name,
        technopark.network,
        host.name if host else None,
        *(direction.name for direction in technopark.directions),
        *(direction.name_en for direction in technopark.directions),
        technopark.city,
        technopark.district,
        technopark.address,
    ]
    return fold(" ".join(part for part in parts if part))


def refresh_search_text(technopark: Technopark) -> None:
    """Recompute the stored search words after any change to what they are made of.

    Reading the host and directions must not flush the change being made: that would write
    the row twice and raise its version twice for one save.
    """
    with db.session.no_autoflush:
        technopark.search_text = searchable_text(technopark)

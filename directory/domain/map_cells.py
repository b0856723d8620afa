"""The map's clusters, kept in the database per zoom level and read by the cells in view.

Every published placed listing is counted into its cell at each zoom from 0 to DEEPEST_ZOOM
(directory/domain/clusters.py), so an answer for a view reads the few hundred cells it
covers, never the listings. The cells change in the same transaction as the listings: a
flush that adds, moves, publishes, hides or deletes a technopark adds it to or takes it from
its cells (keep_cells_current). Bulk writes that bypass the ORM (the benchmark's demo-data)
rebuild them (rebuild_cells), as does the first question asked of a database whose cells
were never built. Deeper than DEEPEST_ZOOM a view covers a few streets, and its listings
are grouped as they are read.

A cell's bounds only ever grow: when a listing leaves, the cell keeps the box it had, which
is still a box around every listing in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Float,
    Integer,
    Table,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, scoped_session

from ..db.bulk import bulk_insert
from ..db.sqlite import writing
from ..extensions import db
from .clusters import (
    Cell,
    CellRange,
    Grid,
    cell_x,
    cell_y,
    cells_in_view,
    grid_of_points,
    grids_by_zoom,
    wrapped,
)
from .models import LocationPrecision, Technopark
from .public import shows_synthetic_records

# Cells are kept down to this zoom: a view there spans about a kilometre of a city.
DEEPEST_ZOOM = 16
MAX_ZOOM = 19
BATCH_SIZE = 10_000
COORDINATE_DIGITS = 5
CLUSTER_FIELDS = ("count", "lat", "lon", "south", "west", "north", "east")
LISTING_FIELDS = ("slug", "name", "lat", "lon", "approximate")

# Synthetic benchmark records have cells of their own: only a benchmark server shows them.
map_cell = Table(
    "map_cell",
    db.metadata,
    Column("zoom", Integer, primary_key=True, autoincrement=False),
    Column("x", Integer, primary_key=True, autoincrement=False),
    Column("y", Integer, primary_key=True, autoincrement=False),
    Column("synthetic", Boolean, primary_key=True, autoincrement=False),
    Column("count", Integer, nullable=False),
    Column("latitude_sum", Float, nullable=False),
    Column("longitude_sum", Float, nullable=False),
    Column("south", Float, nullable=False),
    Column("west", Float, nullable=False),
    Column("north", Float, nullable=False),
    Column("east", Float, nullable=False),
    Column("first_id", Integer, nullable=False),
)
# One row, present once the cells have been built for the listings stored.
map_cell_build = Table(
    "map_cell_build",
    db.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
)
BUILD_ROW = 1


# ---------------------------------------------------------------- building


def cells_were_built(connection: Connection, lock: bool = False) -> bool:
    query = select(map_cell_build.c.id).where(map_cell_build.c.id == BUILD_ROW)
    return connection.execute(query.with_for_update() if lock else query).first() is not None


def ensure_cells() -> bool:
    """Build the cells if they never were; True when this call built them.

    The build runs in a connection of its own that may write, so the request's transaction
    stays a reader; when this returns True the caller starts a new one to see the cells.
    """
    if cells_were_built(db.session.connection()):
        return False
    with writing(), db.engine.connect() as connection:
        # The lock on the build row (the write lock on SQLite) lets one process build.
        if cells_were_built(connection, lock=True):
            return False
        rebuild_cells(connection)
        connection.commit()
    return True


def rebuild_cells(connection: Connection) -> None:
    """Count every published placed listing into the cells of every zoom; caller commits."""
    connection.execute(delete(map_cell))
    for synthetic in (False, True):
        points = connection.execute(
            select(Technopark.id, Technopark.latitude, Technopark.longitude).where(
                Technopark.published.is_(True),
                Technopark.synthetic.is_(synthetic),
                Technopark.latitude.is_not(None),
            )
        )
        for zoom, grid in grids_by_zoom(points, DEEPEST_ZOOM):
            rows = cell_rows(zoom, synthetic, grid)
            for start in range(0, len(rows), BATCH_SIZE):
                bulk_insert(connection, map_cell, rows[start : start + BATCH_SIZE])
    if not cells_were_built(connection):
        connection.execute(insert(map_cell_build).values(id=BUILD_ROW))


def cell_rows(zoom: int, synthetic: bool, grid: Grid) -> list[dict[str, Any]]:
    return [
        {
            "zoom": zoom,
            "x": x,
            "y": y,
            "synthetic": synthetic,
            "count": cell.count,
            "latitude_sum": cell.latitude_sum,
            "longitude_sum": cell.longitude_sum,
            "south": cell.south,
            "west": cell.west,
            "north": cell.north,
            "east": cell.east,
            "first_id": cell.first_id,
        }
        for (x, y), cell in grid.items()
    ]


# ---------------------------------------------------------------- keeping them current


@dataclass(frozen=True)
class OnMap:
    """A listing as the cells count it."""

    id: int
    latitude: float
    longitude: float
    synthetic: bool


def as_counted(technopark: Technopark, state: str) -> OnMap | None:
    """The listing as the cells counted it before this flush ("old") or will after ("new")."""
    values = {}
    history = inspect(technopark).attrs
    for name in ("published", "synthetic", "latitude", "longitude"):
        changed = history[name].history
        if state == "old" and changed.deleted:
            values[name] = changed.deleted[0]
        else:
            values[name] = getattr(technopark, name)
    if not values["published"] or values["latitude"] is None or values["longitude"] is None:
        return None
    return OnMap(technopark.id, values["latitude"], values["longitude"], bool(values["synthetic"]))


def moves_of(session: Session) -> Iterator[tuple[OnMap | None, OnMap | None]]:
    """(before, after) of every technopark this flush wrote, where the map sees a change."""
    for technopark in session.new:
        if isinstance(technopark, Technopark):
            yield None, as_counted(technopark, "new")
    for technopark in session.dirty:
        if isinstance(technopark, Technopark):
            yield as_counted(technopark, "old"), as_counted(technopark, "new")
    for technopark in session.deleted:
        if isinstance(technopark, Technopark):
            yield as_counted(technopark, "old"), None


def keep_cells_current(session: Session, flush_context: Any) -> None:
    """After a flush, take each changed listing from its old cells and add it to its new."""
    moves = [(before, after) for before, after in moves_of(session) if before != after]
    if not moves:
        return
    connection = session.connection()
    if not cells_were_built(connection):
        return  # the first question builds them all
    for before, after in moves:
        if before is not None:
            take_from_cells(connection, before)
        if after is not None:
            add_to_cells(connection, after)


def cell_keys(listing: OnMap) -> Iterator[dict[str, Any]]:
    for zoom in range(DEEPEST_ZOOM + 1):
        yield {
            "zoom": zoom,
            "x": cell_x(listing.longitude, zoom),
            "y": cell_y(listing.latitude, zoom),
            "synthetic": listing.synthetic,
        }


def add_to_cells(connection: Connection, listing: OnMap) -> None:
    upsert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for key in cell_keys(listing):
        row = {
            **key,
            "count": 1,
            "latitude_sum": listing.latitude,
            "longitude_sum": listing.longitude,
            "south": listing.latitude,
            "west": listing.longitude,
            "north": listing.latitude,
            "east": listing.longitude,
            "first_id": listing.id,
        }
        statement = upsert(map_cell).values(**row)
        new = statement.excluded
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["zoom", "x", "y", "synthetic"],
                set_={
                    "count": map_cell.c.count + 1,
                    "latitude_sum": map_cell.c.latitude_sum + new.latitude_sum,
                    "longitude_sum": map_cell.c.longitude_sum + new.longitude_sum,
                    "south": smaller(connection, map_cell.c.south, new.south),
                    "west": smaller(connection, map_cell.c.west, new.west),
                    "north": larger(connection, map_cell.c.north, new.north),
                    "east": larger(connection, map_cell.c.east, new.east),
                    "first_id": smaller(connection, map_cell.c.first_id, new.first_id),
                },
            )
        )


def smaller(connection: Connection, left: Any, right: Any) -> Any:
    """SQLite's two-argument min() is PostgreSQL's least()."""
    if connection.dialect.name == "sqlite":
        return func.min(left, right)
    return func.least(left, right)


def larger(connection: Connection, left: Any, right: Any) -> Any:
    return (
        func.max(left, right) if connection.dialect.name == "sqlite" else func.greatest(left, right)
    )


def take_from_cells(connection: Connection, listing: OnMap) -> None:
    for key in cell_keys(listing):
        where = and_(*(map_cell.c[name] == value for name, value in key.items()))
        connection.execute(
            update(map_cell)
            .where(where)
            .values(
                count=map_cell.c.count - 1,
                latitude_sum=map_cell.c.latitude_sum - listing.latitude,
                longitude_sum=map_cell.c.longitude_sum - listing.longitude,
            )
        )
        connection.execute(delete(map_cell).where(where, map_cell.c.count <= 0))
        # The cell's named listing left: name another (the only one, if one remains).
        cell = connection.execute(
            select(map_cell.c.south, map_cell.c.west, map_cell.c.north, map_cell.c.east).where(
                where, map_cell.c.first_id == listing.id
            )
        ).first()
        if cell is not None:
            remaining = first_listing_in(connection, key, tuple(cell), listing.id)
            connection.execute(update(map_cell).where(where).values(first_id=remaining))


def first_listing_in(
    connection: Connection, key: dict[str, Any], bounds: Sequence[float], leaving: int
) -> int:
    """The smallest id of the other listings in the cell, found within its bounds."""
    south, west, north, east = bounds
    candidates = connection.execute(
        select(Technopark.id, Technopark.latitude, Technopark.longitude)
        .where(
            Technopark.published.is_(True),
            Technopark.synthetic.is_(key["synthetic"]),
            Technopark.latitude.between(south, north),
            Technopark.longitude.between(west, east),
            Technopark.id != leaving,
        )
        .order_by(Technopark.id)
    )
    for listing_id, latitude, longitude in candidates:
        if (cell_x(longitude, key["zoom"]), cell_y(latitude, key["zoom"])) == (key["x"], key["y"]):
            return listing_id
    return leaving


def watch(sessions: scoped_session) -> None:
    """Keep the cells in step with every ORM write of every app's sessions."""
    factory = sessions.session_factory
    if not getattr(factory, "keeps_map_cells", False):
        event.listen(factory, "after_flush", keep_cells_current)
        factory.keeps_map_cells = True


# ---------------------------------------------------------------- reading


def view_clusters(
    west: float, south: float, east: float, north: float, zoom: int
) -> dict[str, Any]:
    """The clusters and single listings a map view shows, as compact rows.

    Down to DEEPEST_ZOOM the stored cells are read (ensure_cells first); deeper, the few
    listings in the box are grouped as they are read.
    """
    cells = cells_in_view(west, south, east, north, min(zoom, MAX_ZOOM))
    if cells.zoom > DEEPEST_ZOOM:
        clusters, singles = clusters_of_listings(cells, west, south, east, north)
    else:
        clusters, singles = stored_clusters(cells)
    return {
        "zoom": cells.zoom,
        "cluster_fields": CLUSTER_FIELDS,
        "clusters": clusters,
        "fields": LISTING_FIELDS,
        "rows": singles,
    }


def approximate_flag() -> Any:
    # Computed by the database: no enum conversion for each row.
    return case((Technopark.location_precision == LocationPrecision.BUILDING, 0), else_=1)


def listing_row(slug: str, name: str, latitude: float, longitude: float, approximate: int):
    return [
        slug,
        name,
        round(latitude, COORDINATE_DIGITS),
        round(longitude, COORDINATE_DIGITS),
        approximate,
    ]


def cluster_row(count: int, centre: tuple[float, float], bounds: Sequence[float]) -> list:
    return [count, *(round(value, COORDINATE_DIGITS) for value in (*centre, *bounds))]


def shown_kinds() -> list[bool]:
    return [False, True] if shows_synthetic_records() else [False]


def stored_clusters(cells: CellRange) -> tuple[list[list], list[list]]:
    """The stored cells in view: clusters, and the listing of each cell that holds one."""
    in_view = and_(
        map_cell.c.zoom == cells.zoom,
        map_cell.c.y.between(*cells.rows),
        or_(*(map_cell.c.x.between(first, last) for first, last in cells.columns)),
        map_cell.c.synthetic.in_(shown_kinds()),
    )
    # Real and synthetic cells of one place are one cell on a benchmark server.
    merged = (
        select(
            func.sum(map_cell.c.count).label("count"),
            func.sum(map_cell.c.latitude_sum).label("latitude_sum"),
            func.sum(map_cell.c.longitude_sum).label("longitude_sum"),
            func.min(map_cell.c.south).label("south"),
            func.min(map_cell.c.west).label("west"),
            func.max(map_cell.c.north).label("north"),
            func.max(map_cell.c.east).label("east"),
            func.min(map_cell.c.first_id).label("first_id"),
        )
        .where(in_view)
        .group_by(map_cell.c.x, map_cell.c.y)
        .subquery()
    )
    connection = db.session.connection()
    clusters, single_ids = [], []
    for count, latitude_sum, longitude_sum, *bounds, first_id in connection.execute(select(merged)):
        if count == 1:
            single_ids.append(first_id)
        else:
            centre = (latitude_sum / count, longitude_sum / count)
            clusters.append(cluster_row(count, centre, bounds))
    # By primary key: a join would let the planner scan every listing.
    singles = [
        listing_row(*row)
        for row in connection.execute(
            select(
                Technopark.slug,
                Technopark.name,
                Technopark.latitude,
                Technopark.longitude,
                approximate_flag(),
            )
            .where(Technopark.id.in_(single_ids))
            .order_by(Technopark.id)
        )
    ]
    return clusters, singles


def clusters_of_listings(
    cells: CellRange, west: float, south: float, east: float, north: float
) -> tuple[list[list], list[list]]:
    """A street-level view: its listings read from the table and grouped by cell."""
    west, east = wrapped(west), wrapped(east)
    columns = (
        [Technopark.longitude.between(west, east)]
        if west <= east
        else [Technopark.longitude >= west, Technopark.longitude <= east]
    )
    rows = db.session.connection().execute(
        select(
            Technopark.id,
            Technopark.slug,
            Technopark.name,
            Technopark.latitude,
            Technopark.longitude,
            approximate_flag(),
        )
        .where(
            Technopark.published.is_(True),
            Technopark.synthetic.in_(shown_kinds()),
            Technopark.latitude.between(south, north),
            or_(*columns),
        )
        .order_by(Technopark.id)
    )
    listings = {row[0]: row[1:] for row in rows}
    grid = grid_of_points(
        ((listing_id, row[2], row[3]) for listing_id, row in listings.items()), cells.zoom
    )
    return grouped(grid.values(), listings)


def grouped(cells: Iterable[Cell], listings: dict[int, tuple]) -> tuple[list[list], list[list]]:
    clusters, singles = [], []
    for cell in cells:
        if cell.count == 1:
            singles.append(listing_row(*listings[cell.first_id]))
        else:
            bounds = (cell.south, cell.west, cell.north, cell.east)
            clusters.append(cluster_row(cell.count, cell.centre, bounds))
    return clusters, singles

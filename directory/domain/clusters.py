"""Clusters of listings on a grid of map cells, per zoom level: what a map view shows.

The map asks for its view (a box and a zoom) and gets back clusters (count, centre, bounds)
and, where a cell holds one listing, that listing. The grid is Web Mercator's, as the map
draws it: at zoom z the world is 256·2^z pixels wide and a cell is CELL_PIXELS square, so a
view of a phone or a laptop screen covers a few hundred cells at most, whatever the zoom.

This module is arithmetic only; directory/domain/map_cells.py stores the cells and reads them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

# A cell is a quarter of a 256-pixel tile: clusters about the size of their icons.
CELL_PIXELS = 64
CELLS_PER_TILE_SIDE = 256 // CELL_PIXELS
# Web Mercator stops short of the poles.
MAX_LATITUDE = 85.05112878


def cells_per_side(zoom: int) -> int:
    """How many cells span the world's width (and height) at this zoom."""
    return CELLS_PER_TILE_SIDE << zoom


def cell_x(longitude: float, zoom: int) -> int:
    """The column of the cell holding this longitude."""
    side = cells_per_side(zoom)
    return min(side - 1, max(0, int((longitude + 180.0) / 360.0 * side)))


def cell_y(latitude: float, zoom: int) -> int:
    """The row of the cell holding this latitude (rows run from the north down)."""
    side = cells_per_side(zoom)
    latitude = max(-MAX_LATITUDE, min(MAX_LATITUDE, latitude))
    radians = math.radians(latitude)
    fraction = (1.0 - math.asinh(math.tan(radians)) / math.pi) / 2.0
    return min(side - 1, max(0, int(fraction * side)))


@dataclass(slots=True)
class Cell:
    """The listings of one cell: how many, the sums for their centre, their bounds, one id."""

    count: int
    latitude_sum: float
    longitude_sum: float
    south: float
    west: float
    north: float
    east: float
    # The smallest id in the cell: the listing itself when the cell holds one.
    first_id: int

    @classmethod
    def of_point(cls, listing_id: int, latitude: float, longitude: float) -> Cell:
        return cls(1, latitude, longitude, latitude, longitude, latitude, longitude, listing_id)

    def add(self, other: Cell) -> None:
        self.count += other.count
        self.latitude_sum += other.latitude_sum
        self.longitude_sum += other.longitude_sum
        self.south = min(self.south, other.south)
        self.west = min(self.west, other.west)
        self.north = max(self.north, other.north)
        self.east = max(self.east, other.east)
        self.first_id = min(self.first_id, other.first_id)

    @property
    def centre(self) -> tuple[float, float]:
        return self.latitude_sum / self.count, self.longitude_sum / self.count


Grid = dict[tuple[int, int], Cell]


def grid_of_points(points: Iterable[tuple[int, float, float]], zoom: int) -> Grid:
    """The cells at this zoom of (id, latitude, longitude) points."""
    # Sums in plain lists first: a million points make a million short-lived objects otherwise.
    sums: dict[tuple[int, int], list] = {}
    for listing_id, latitude, longitude in points:
        key = (cell_x(longitude, zoom), cell_y(latitude, zoom))
        found = sums.get(key)
        if found is None:
            sums[key] = [1, latitude, longitude, latitude, longitude, latitude, longitude]
            sums[key].append(listing_id)
            continue
        found[0] += 1
        found[1] += latitude
        found[2] += longitude
        if latitude < found[3]:
            found[3] = latitude
        if longitude < found[4]:
            found[4] = longitude
        if latitude > found[5]:
            found[5] = latitude
        if longitude > found[6]:
            found[6] = longitude
        if listing_id < found[7]:
            found[7] = listing_id
    return {key: Cell(*values) for key, values in sums.items()}


def coarser(grid: Grid) -> Grid:
    """The same listings one zoom out: each cell there covers two by two cells here."""
    parents: Grid = {}
    for (x, y), cell in grid.items():
        key = (x >> 1, y >> 1)
        found = parents.get(key)
        if found is None:
            parents[key] = replace(cell)
        else:
            found.add(cell)
    return parents


def grids_by_zoom(
    points: Iterable[tuple[int, float, float]], deepest: int
) -> Iterator[tuple[int, Grid]]:
    """Every zoom's grid, from the deepest out to zoom 0, each built from the one before."""
    grid = grid_of_points(points, deepest)
    for zoom in range(deepest, -1, -1):
        yield zoom, grid
        grid = coarser(grid)


@dataclass(frozen=True)
class CellRange:
    """The cells a view covers at one zoom: columns (one or two runs) and rows."""

    zoom: int
    columns: tuple[tuple[int, int], ...]
    rows: tuple[int, int]


def cells_in_view(west: float, south: float, east: float, north: float, zoom: int) -> CellRange:
    """The cell columns and rows a box covers; a box across the 180th meridian has two runs
    of columns, and one wider than the world covers them all."""
    side = cells_per_side(zoom)
    rows = (cell_y(north, zoom), cell_y(south, zoom))
    if east - west >= 360.0:
        return CellRange(zoom, ((0, side - 1),), rows)
    west, east = wrapped(west), wrapped(east)
    if west <= east:
        return CellRange(zoom, ((cell_x(west, zoom), cell_x(east, zoom)),), rows)
    return CellRange(zoom, ((cell_x(west, zoom), side - 1), (0, cell_x(east, zoom))), rows)


def wrapped(longitude: float) -> float:
    """A longitude of a map panned round the world, brought back into [-180, 180]."""
    if -180.0 <= longitude <= 180.0:
        return longitude
    return (longitude + 180.0) % 360.0 - 180.0

"""The grid of map cells: where a point falls, and how four cells sum into one."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from directory.domain.clusters import (
    cell_x,
    cell_y,
    cells_in_view,
    cells_per_side,
    coarser,
    grid_of_points,
    grids_by_zoom,
)

MOSCOW = (55.7558, 37.6173)


def test_a_cell_is_a_quarter_of_a_tile() -> None:
    assert cells_per_side(0) == 4
    assert cells_per_side(10) == 4096
    # Moscow's tile at zoom 10 is (619, 320): its cells are 4 × that, plus 0 to 3.
    assert cell_x(MOSCOW[1], 10) // 4 == 619
    assert cell_y(MOSCOW[0], 10) // 4 == 320


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(90.0, 180.0), (-90.0, -180.0), (85.1, 179.9999)]
)
def test_the_poles_and_the_meridian_stay_on_the_grid(latitude: float, longitude: float) -> None:
    for zoom in (0, 8, 16):
        assert 0 <= cell_x(longitude, zoom) < cells_per_side(zoom)
        assert 0 <= cell_y(latitude, zoom) < cells_per_side(zoom)


def test_each_zoom_out_sums_four_cells_and_keeps_count_centre_and_bounds() -> None:
    chance = random.Random(3)
    points = [
        (number, MOSCOW[0] + chance.uniform(-0.3, 0.3), MOSCOW[1] + chance.uniform(-0.5, 0.5))
        for number in range(1, 2001)
    ]
    grids = dict(grids_by_zoom(points, 14))
    for zoom in range(14, -1, -1):
        grid = grids[zoom]
        assert sum(cell.count for cell in grid.values()) == 2000
        # Built from the finer grid, the same as counted from the points directly.
        direct = grid_of_points(points, zoom)
        assert grid.keys() == direct.keys()
        for key, cell in grid.items():
            assert cell.count == direct[key].count
            assert cell.first_id == direct[key].first_id
            assert cell.centre == pytest.approx(direct[key].centre)
            assert (cell.south, cell.west, cell.north, cell.east) == (
                direct[key].south,
                direct[key].west,
                direct[key].north,
                direct[key].east,
            )
    whole = next(iter(grids[0].values()))
    latitudes = [latitude for _, latitude, _ in points]
    assert whole.south == min(latitudes) and whole.north == max(latitudes)
    assert whole.first_id == 1


def test_coarser_leaves_the_finer_grid_as_it_was() -> None:
    grid = grid_of_points([(1, 55.0, 37.0), (2, 55.0001, 37.0001)], 16)
    before = {key: replace(cell) for key, cell in grid.items()}
    coarser(coarser(grid))
    assert grid == before


def test_a_view_across_the_180th_meridian_has_two_runs_of_columns() -> None:
    # Chukotka: from 170° E across the meridian to 170° W.
    view = cells_in_view(170.0, 60.0, 190.0, 70.0, 4)
    side = cells_per_side(4)
    assert view.columns == ((cell_x(170.0, 4), side - 1), (0, cell_x(-170.0, 4)))
    assert view.rows == (cell_y(70.0, 4), cell_y(60.0, 4))
    whole_world = cells_in_view(-400.0, -80.0, 400.0, 80.0, 2)
    assert whole_world.columns == ((0, cells_per_side(2) - 1),)

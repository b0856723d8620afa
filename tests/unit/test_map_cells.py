"""The map's cells stay in step with every write: the same as built afresh, bounds aside."""

from __future__ import annotations

import random

from flask import Flask
from sqlalchemy import select

from directory.domain.map_cells import ensure_cells, map_cell, rebuild_cells
from directory.domain.models import Technopark
from directory.extensions import db


def cells(app: Flask) -> dict[tuple, tuple]:
    with app.app_context():
        return {
            (row.zoom, row.x, row.y, row.synthetic): row
            for row in db.session.execute(select(map_cell)).all()
        }


def random_point(chance: random.Random) -> tuple[float, float]:
    # Two towns close enough to share cells down to a middle zoom.
    centre = chance.choice([(55.75, 37.62), (55.80, 37.70)])
    return centre[0] + chance.uniform(-0.02, 0.02), centre[1] + chance.uniform(-0.02, 0.02)


def test_cells_kept_by_each_write_equal_cells_built_afresh(app: Flask) -> None:
    chance = random.Random(7)
    with app.app_context():
        for number in range(40):
            latitude, longitude = random_point(chance)
            db.session.add(
                Technopark(
                    slug=f"park-{number}",
                    name=f"Технопарк {number}",
                    city="Москва",
                    published=number % 5 != 0,
                    synthetic=number % 7 == 0,
                    latitude=latitude if number % 6 else None,
                    longitude=longitude if number % 6 else None,
                )
            )
        db.session.commit()
        assert ensure_cells()
        assert not ensure_cells()
    created = 40
    for step in range(120):
        with app.app_context():
            parks = list(db.session.execute(select(Technopark)).scalars())
            park = chance.choice(parks)
            action = chance.choice(["move", "hide", "show", "unplace", "delete", "new", "phone"])
            if action == "move":
                park.latitude, park.longitude = random_point(chance)
            elif action == "hide":
                park.published = False
            elif action == "show":
                park.published = True
            elif action == "unplace":
                park.latitude = park.longitude = None
            elif action == "delete":
                db.session.delete(park)
            elif action == "new":
                latitude, longitude = random_point(chance)
                db.session.add(
                    Technopark(
                        slug=f"park-{created}",
                        name="Новый",
                        city="Москва",
                        published=True,
                        latitude=latitude,
                        longitude=longitude,
                    )
                )
                created += 1
            else:
                park.phone = f"+7 (495) 000-00-{step % 100:02d}"
            db.session.commit()
    kept = cells(app)
    with app.app_context():
        rebuild_cells(db.session.connection())
        db.session.commit()
    fresh = cells(app)
    assert kept.keys() == fresh.keys()
    for key, row in fresh.items():
        mine = kept[key]
        assert (mine.count, mine.first_id) == (row.count, row.first_id), key
        assert abs(mine.latitude_sum - row.latitude_sum) < 1e-6
        assert abs(mine.longitude_sum - row.longitude_sum) < 1e-6
        # A cell's box only grows: it still holds every listing in the cell.
        assert mine.south <= row.south and mine.west <= row.west
        assert mine.north >= row.north and mine.east >= row.east

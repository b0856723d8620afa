"""The API's contract in one place: what a request may ask and what each answer holds.

The search parameters are read with SearchParameters (the list page, the map data and the
API read them the same way), the responses are built as these models, and the OpenAPI
document (openapi.py) is generated from them, so the three cannot drift apart.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from ...domain.models import DatePrecision, LocationPrecision, Status

MAX_TEXT_LENGTH = 200
MAX_AGE = 99
MAX_PAGE = 10_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_RADIUS_KM = 20_000

WHOLE = re.compile(r"[+-]?\d+", re.ASCII)
# Plain ASCII decimals, exponent allowed: float() alone would also take "١٢" and "1_0".
DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# A latitude from -90 to 90 and a longitude from -180 to 180, in decimal degrees.
LATITUDE = r"[+-]?(?:90(?:\.0*)?|[0-8]?\d(?:\.\d*)?|\.\d+)"
LONGITUDE = r"[+-]?(?:180(?:\.0*)?|1[0-7]\d(?:\.\d*)?|\d{1,2}(?:\.\d*)?|\.\d+)"
NEAR = rf"^\s*{LATITUDE}\s*,\s*{LONGITUDE}\s*$"
# Past this many digits a whole number is larger than any limit; int() of thousands is slow.
LONGEST_WHOLE = 12
ISO_AT_PRECISION = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def whole_number(value: Any) -> Any:
    """Text of ASCII digits as a number; anything else is left for the type check to refuse."""
    if isinstance(value, str):
        text = value.strip()
        if not WHOLE.fullmatch(text):
            raise ValueError("not a whole number")
        digits = text.lstrip("+-").lstrip("0") or "0"
        sign = -1 if text.startswith("-") else 1
        return sign * (int(digits) if len(digits) <= LONGEST_WHOLE else 10**LONGEST_WHOLE)
    return value


def decimal_number(value: Any) -> Any:
    """Text of an ASCII decimal (1e3 included) as a number."""
    if isinstance(value, str):
        text = value.strip()
        if not DECIMAL.fullmatch(text):
            raise ValueError("not a decimal number")
        return float(text)
    return value


# The bounds come before the reading, so the document shows them as minimum and maximum.
Age = Annotated[int, Field(ge=0, le=MAX_AGE), BeforeValidator(whole_number)]
PageNumber = Annotated[int, Field(ge=1, le=MAX_PAGE), BeforeValidator(whole_number)]
PageSize = Annotated[int, Field(ge=1), BeforeValidator(whole_number)]
Radius = Annotated[
    float, Field(gt=0, le=MAX_RADIUS_KM, allow_inf_nan=False), BeforeValidator(decimal_number)
]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
DateAtPrecision = Annotated[str, Field(pattern=ISO_AT_PRECISION)]
# Nothing, in the model; never written in a document (a query parameter is absent, not null).
Absent = SkipJsonSchema[None]


Text = Annotated[str, Field(max_length=MAX_TEXT_LENGTH)]


class SearchParameters(BaseModel):
    """The search a request asks for: the list page, the map data and the API share it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: Text | Absent = Field(
        None,
        description="Words to find in the name, network, host, directions, city and address. "
        "Case and ё/е do not matter (Cyrillic too); every word must match.",
    )
    city: Text | Absent = Field(
        None, description="Only technoparks in this city, e.g. Москва (case does not matter)."
    )
    direction: str | Absent = Field(
        None, description="Only technoparks teaching this direction, by slug, e.g. robotics."
    )
    age: Age | Absent = Field(
        None,
        description="The child's age in years: only technoparks whose age range includes it. "
        "A missing bound (age_min or age_max) counts as open.",
    )
    status: Status | Absent = Field(None, description="Only technoparks with this status.")
    near: Annotated[str, Field(pattern=NEAR)] | Absent = Field(
        None,
        description="LAT,LON in decimal degrees (WGS84), e.g. 55.7101,37.7183. Sorts by "
        "great-circle distance, nearest first, adds distance_km, and leaves out technoparks "
        "without a position. Ignored when place is given.",
        examples=["55.7101,37.7183"],
    )
    place: Text | Absent = Field(
        None,
        description="A place to measure distances from, resolved offline: a Russian city "
        "(population over 15 000), or a Moscow okrug (e.g. ЦАО), district or metro station. "
        "Prefixes such as «г.», «район», «метро» choose among places of the same name. An "
        "unknown name is a 404 error with code unknown_place and suggestions.",
        examples=["Сокол", "Казань", "ЦАО"],
    )
    radius_km: Radius | Absent = Field(
        None,
        description="With near or place: only technoparks within this many kilometres. "
        "Without a starting point the search runs without it and says so in warnings.",
    )
    page: PageNumber = Field(1, description="The page of results, from 1.")
    limit: PageSize = Field(
        DEFAULT_LIMIT, description=f"Items per page; larger values count as {MAX_LIMIT}."
    )


# ---------------------------------------------------------------- responses


class ErrorDetail(BaseModel):
    """What went wrong, in English, naming the parameter at fault."""

    code: Literal[
        "invalid_parameter",
        "unknown_place",
        "not_found",
        "method_not_allowed",
        "bad_value",
        "database_unavailable",
    ]
    message: str = Field(description="Names the parameter.")
    parameter: str | Absent = Field(None, description="The parameter at fault.")
    suggestions: list[str] | Absent = Field(
        None, description="For unknown_place: the closest known place names."
    )


class Warning(BaseModel):
    """A valid parameter the search could not use: it ran without it."""

    parameter: str
    message: str


class ErrorBody(BaseModel):
    """Every error the API sends: {"error": {"code", "message", …}}."""

    error: ErrorDetail


class Technopark(BaseModel):
    """One technopark in a list."""

    slug: str
    name: str
    network: str | None
    status: Status
    city: str
    address: str | None
    latitude: Latitude | None
    longitude: Longitude | None
    location_precision: LocationPrecision = Field(
        description="What the map point points at; anything but building is approximate."
    )
    directions: list[str] = Field(description="Slugs.")
    age_min: Annotated[int, Field(ge=0)] | None
    age_max: Annotated[int, Field(ge=0)] | None
    opening_date: DateAtPrecision | None = Field(
        description="ISO 8601 at the precision known: 2016-09-29, 2017-12 or 2018."
    )
    opening_date_precision: DatePrecision | None
    host_organization: str | None = Field(description="The host's name.")
    program: str | None = Field(description="The programme's name.")
    url: str = Field(json_schema_extra={"format": "uri"}, description="The public profile page.")
    distance_km: Annotated[float, Field(ge=0)] | Absent = Field(
        None, description="Great-circle distance from near or place; only then present."
    )


class PlaceInfo(BaseModel):
    """The named place distances were measured from."""

    name: str
    kind: Literal["city", "okrug", "district", "settlement", "metro"]
    detail: str | None


class Origin(BaseModel):
    """Where distances were measured from."""

    latitude: Latitude
    longitude: Longitude
    place: PlaceInfo | Absent = None


class TechnoparkList(BaseModel):
    """A page of technoparks."""

    items: list[Technopark]
    total: int = Field(ge=0, description="Matches on all pages.")
    page: int = Field(ge=1)
    limit: int = Field(ge=1, le=MAX_LIMIT)
    pages: int = Field(ge=1)
    origin: Origin | Absent = None
    without_position: Annotated[int, Field(ge=0)] | Absent = Field(
        None, description="With near or place: matches left out for want of a position."
    )
    warnings: list[Warning] | Absent = Field(
        None, description="Parameters the search ran without, such as radius_km without near."
    )


class NewsLink(BaseModel):
    """An article as a profile lists it."""

    title: str | None
    url: str = Field(json_schema_extra={"format": "uri"})
    outlet: str | None
    published_on: date | None


class Contacts(BaseModel):
    """How to reach a technopark."""

    phone: str | None
    website: str | None
    email: str | None


class TechnoparkDetail(Technopark):
    """One technopark with everything its profile shows: contacts, sources and news."""

    district: str | None
    location_note: str | None
    description: str | None
    sources: str | None
    contacts: Contacts
    verified_at: datetime | None = Field(
        description="When the coordinator last confirmed the facts."
    )
    news: list[NewsLink]


class TechnoparkLink(BaseModel):
    """A technopark an article covers."""

    slug: str
    name: str
    url: str = Field(json_schema_extra={"format": "uri"})


class NewsItem(NewsLink):
    """An article in the news feed, with the public technoparks it covers."""

    summary: str | None
    language: str
    technoparks: list[TechnoparkLink]


class NewsList(BaseModel):
    """The news feed, newest first."""

    items: list[NewsItem]


class PointGeometry(BaseModel):
    """A GeoJSON Point: [longitude, latitude] (RFC 7946)."""

    type: Literal["Point"]
    coordinates: tuple[Longitude, Latitude] = Field(description="[longitude, latitude] (RFC 7946).")


class FeatureProperties(BaseModel):
    """What a map feature says of its technopark."""

    slug: str
    name: str
    city: str
    host_organization: str | None
    url: str = Field(json_schema_extra={"format": "uri"})
    location_precision: LocationPrecision
    distance_km: Annotated[float, Field(ge=0)] | Absent = None


class Feature(BaseModel):
    """One placed technopark."""

    type: Literal["Feature"]
    geometry: PointGeometry
    properties: FeatureProperties


class FeatureCollection(BaseModel):
    """The placed technoparks matching a search."""

    type: Literal["FeatureCollection"]
    features: list[Feature]
    warnings: list[Warning] | Absent = Field(
        None, description="Parameters the search ran without (a GeoJSON foreign member)."
    )


# ---------------------------------------------------------------- the downloads


class ExportRecord(BaseModel):
    """One technopark in the downloads: the export's columns (data/exchange/columns.py)."""

    slug: str
    name: str
    network: str | None
    host_organization_slug: str | None
    host_organization_name: str | None
    host_organization_website: str | None
    program_slug: str | None
    program_name: str | None
    program_url: str | None
    mobile: bool
    opening_date: DateAtPrecision | None
    status: Status
    status_as_of: DateAtPrecision | None
    status_source_url: str | None
    city: str
    region: str | None
    district: str | None
    address: str | None
    latitude: Latitude | None
    longitude: Longitude | None
    location_precision: LocationPrecision
    location_note: str | None
    age_min: int | None
    age_max: int | None
    website: str | None
    phone: str | None
    email: str | None
    enrolment_url: str | None
    description: str | None
    sources: str | None
    published: bool
    unpublished_reason: str | None
    verified_at: datetime | None
    directions: list[str]
    news_urls: list[str]
    version: int = Field(
        description="The record's version: a file imported back from an older version is "
        "merged with what was saved since."
    )


class ExportDocument(BaseModel):
    """The JSON download: {"technoparks": [record, …]}."""

    technoparks: list[ExportRecord]


class ExportFeature(BaseModel):
    """A technopark of the GeoJSON download; without a sourced position its geometry is null."""

    type: Literal["Feature"]
    id: str = Field(description="The slug.")
    geometry: PointGeometry | None
    properties: dict[str, Any] = Field(
        description="Every export column but latitude and longitude."
    )


class ExportFeatureCollection(BaseModel):
    """The GeoJSON download: every published technopark."""

    type: Literal["FeatureCollection"]
    features: list[ExportFeature]

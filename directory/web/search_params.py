"""The search parameters the list page, the map data and the API share, read and checked.

Each bad value becomes a ParameterError naming its parameter: the API answers 400 with it,
the page shows it beside the form and lists what the other, valid parameters find.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..domain.geo import Point
from ..domain.models import Status
from ..domain.places import Place, UnknownPlace, resolve_place
from ..domain.search import Filters, direction_slugs

MAX_TEXT_LENGTH = 200
MAX_AGE = 99
MAX_PAGE = 10_000
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_RADIUS_KM = 20_000
# Plain ASCII decimals only: float() would also take "nan", "1e999", "١٢" and "1_0".
DECIMAL = re.compile(r"[+-]?(?:\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})", re.ASCII)
WHOLE = re.compile(r"\d+", re.ASCII)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ParameterError:
    """A parameter that could not be used, and why, in words a parent understands."""

    parameter: str
    message: LazyString
    code: str = "invalid_parameter"
    # For an unknown place: the closest names the gazetteer knows.
    suggestions: tuple[str, ...] = ()


@dataclass
class SearchQuery:
    """What a request asks the search for, once read and checked."""

    filters: Filters = field(default_factory=Filters)
    near: Point | None = None
    place: Place | None = None
    radius_km: float | None = None
    page: int = 1
    per_page: int = DEFAULT_LIMIT
    errors: list[ParameterError] = field(default_factory=list)

    @property
    def origin(self) -> Point | None:
        """Where distances are measured from: the named place, else the given point."""
        if self.place is not None:
            return Point(self.place.latitude, self.place.longitude)
        return self.near

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the list of every public technopark."""
        filters = self.filters
        narrowing = (filters.text, filters.city, filters.direction, filters.age, filters.status)
        return any(value is not None for value in narrowing) or self.radius_km is not None

    def url_without_errors(self, **changes: Any) -> str:
        """This page's URL without the parameters that failed, and with some changed."""
        dropped: dict[str, Any] = {error.parameter: None for error in self.errors}
        return url_with(**{**dropped, **changes})

    def error_for(self, parameter: str) -> ParameterError | None:
        """The error about this parameter, if any, to show beside its field."""
        return next((error for error in self.errors if error.parameter == parameter), None)


def read_search_query(args: Mapping[str, str]) -> SearchQuery:
    """Read the search parameters; bad ones are left out and recorded in .errors."""
    query = SearchQuery()
    errors = query.errors
    text = read_text(args, "q", errors)
    city = read_text(args, "city", errors)
    place_name = read_text(args, "place", errors)
    direction = read_direction(args, errors)
    age = read_whole(args, "age", 0, MAX_AGE, errors, AGE_MESSAGE)
    status = read_status(args, errors)
    query.filters = Filters(text=text, city=city, direction=direction, age=age, status=status)
    query.near = read_near(args, errors)
    query.radius_km = read_radius(args, errors)
    query.page = read_whole(args, "page", 1, MAX_PAGE, errors, PAGE_MESSAGE) or 1
    query.per_page = read_limit(args, errors)
    if place_name is not None:
        try:
            query.place = resolve_place(place_name)
        except UnknownPlace as unknown:
            errors.append(unknown_place_error(unknown))
    if query.radius_km is not None and query.origin is None:
        if not any(error.parameter in ("near", "place") for error in errors):
            errors.append(ParameterError("radius_km", RADIUS_WITHOUT_ORIGIN_MESSAGE))
        query.radius_km = None
    return query


AGE_MESSAGE = _l("The age (age) must be a whole number of years from 0 to %(max)s.", max=MAX_AGE)
PAGE_MESSAGE = _l("The page number (page) must be a whole number from 1 to %(max)s.", max=MAX_PAGE)
RADIUS_WITHOUT_ORIGIN_MESSAGE = _l(
    "A distance limit (radius_km) needs a starting point: choose a place or use “Near me”."
)


def raw_value(args: Mapping[str, str], name: str) -> str | None:
    """The parameter's text without surrounding spaces, or None when absent or empty."""
    value = args.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def read_text(args: Mapping[str, str], name: str, errors: list[ParameterError]) -> str | None:
    """Free text without control characters, at most MAX_TEXT_LENGTH characters."""
    value = raw_value(args, name)
    if value is None:
        return None
    # PostgreSQL refuses NUL in strings; no name or address holds control characters.
    value = CONTROL_CHARACTERS.sub(" ", value).strip()
    if len(value) > MAX_TEXT_LENGTH:
        errors.append(
            ParameterError(
                name,
                _l(
                    "%(name)s is too long: at most %(max)s characters.",
                    name=name,
                    max=MAX_TEXT_LENGTH,
                ),
            )
        )
        return None
    return value or None


def read_whole(
    args: Mapping[str, str],
    name: str,
    low: int,
    high: int,
    errors: list[ParameterError],
    message: LazyString,
) -> int | None:
    """A whole number from low to high, or None (and an error) otherwise."""
    value = raw_value(args, name)
    if value is None:
        return None
    number = whole_number(value)
    if number is not None and low <= number <= high:
        return number
    errors.append(ParameterError(name, message))
    return None


def whole_number(text: str) -> int | None:
    """A whole number written in ASCII digits; past 12 digits, a number larger than any limit."""
    if not WHOLE.fullmatch(text):
        return None
    digits = text.lstrip("0") or "0"
    # int() of thousands of digits is slow, and Python refuses past 4300 of them.
    return int(digits) if len(digits) <= 12 else 10**12


def read_limit(args: Mapping[str, str], errors: list[ParameterError]) -> int:
    """How many items a page holds: a whole number from 1, capped at MAX_LIMIT."""
    value = raw_value(args, "limit")
    if value is None:
        return DEFAULT_LIMIT
    number = whole_number(value)
    if number is not None and number >= 1:
        return min(number, MAX_LIMIT)
    errors.append(
        ParameterError(
            "limit",
            _l(
                "The page size (limit) must be a whole number from 1; "
                "more than %(max)s counts as %(max)s.",
                max=MAX_LIMIT,
            ),
        )
    )
    return DEFAULT_LIMIT


def read_decimal(text: str) -> float | None:
    """A plain decimal number such as -37.5, or None for anything else."""
    if not DECIMAL.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def read_near(args: Mapping[str, str], errors: list[ParameterError]) -> Point | None:
    """near=LAT,LON in decimal degrees."""
    value = raw_value(args, "near")
    if value is None:
        return None
    parts = value.split(",")
    numbers = [read_decimal(part.strip()) for part in parts]
    if len(parts) != 2 or None in numbers:
        errors.append(
            ParameterError(
                "near",
                _l(
                    "The position (near) must be a latitude and a longitude in degrees, "
                    "separated by a comma, such as 55.7101,37.7183."
                ),
            )
        )
        return None
    latitude, longitude = numbers
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors.append(
            ParameterError(
                "near",
                _l(
                    "The position (near) is not on Earth: the latitude must be from -90 to 90 "
                    "and the longitude from -180 to 180."
                ),
            )
        )
        return None
    return Point(latitude, longitude)


def read_radius(args: Mapping[str, str], errors: list[ParameterError]) -> float | None:
    """radius_km: a distance in kilometres, more than 0 and at most MAX_RADIUS_KM."""
    value = raw_value(args, "radius_km")
    if value is None:
        return None
    radius = read_decimal(value)
    if radius is not None and 0 < radius <= MAX_RADIUS_KM:
        return radius
    errors.append(
        ParameterError(
            "radius_km",
            _l(
                "The distance limit (radius_km) must be a number of kilometres "
                "greater than 0 and at most %(max)s.",
                max=MAX_RADIUS_KM,
            ),
        )
    )
    return None


def read_status(args: Mapping[str, str], errors: list[ParameterError]) -> Status | None:
    """status: open, planned or closed."""
    value = raw_value(args, "status")
    if value is None:
        return None
    try:
        return Status(value)
    except ValueError:
        errors.append(
            ParameterError(
                "status",
                _l("The status (status) must be one of: %(choices)s.", choices=status_choices()),
            )
        )
        return None


def status_choices() -> str:
    """The statuses a visitor may filter by, for messages."""
    return ", ".join(status.value for status in Status)


def read_direction(args: Mapping[str, str], errors: list[ParameterError]) -> str | None:
    """direction: the slug of a known direction, such as robotics."""
    value = raw_value(args, "direction")
    if value is None:
        return None
    known = direction_slugs()
    if value in known:
        return value
    errors.append(
        ParameterError(
            "direction",
            _l(
                "There is no direction “%(value)s” (direction). Known directions: %(choices)s.",
                value=value[:MAX_TEXT_LENGTH],
                choices=", ".join(sorted(known)),
            ),
        )
    )
    return None


def unknown_place_error(unknown: UnknownPlace) -> ParameterError:
    """The error for a place name we cannot find, with the closest names we know."""
    name = unknown.query[:MAX_TEXT_LENGTH]
    if unknown.suggestions:
        message = _l("We could not find the place “%(name)s” (place).", name=name)
    else:
        message = _l(
            "We could not find the place “%(name)s” (place). Try a Russian city, "
            "a Moscow district or a metro station, written in Russian.",
            name=name,
        )
    return ParameterError("place", message, "unknown_place", tuple(unknown.suggestions))


def url_with(**changes: Any) -> str:
    """This page's URL with some parameters changed; None removes one."""
    args: dict[str, Any] = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [value]
    encoded = urlencode(args, doseq=True)
    return request.path + ("?" + encoded if encoded else "")

"""The search parameters the list page, the map data and the API share, read and checked.

Each bad value becomes a ParameterError naming its parameter: the API answers 400 with it
(404 for a place the gazetteer does not know), the page shows it beside the form and lists
what the other, valid parameters find. A parameter that is valid but has no effect (a
distance limit without a starting point) is a notice: the search runs without it and says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from pydantic import ValidationError

from ..domain.geo import Point
from ..domain.models import Status
from ..domain.places import Place, UnknownPlace, resolve_place
from ..domain.search import Filters, direction_slugs
from ..domain.text import without_control_characters
from .api.schemas import (
    DEFAULT_LIMIT,
    MAX_AGE,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_RADIUS_KM,
    MAX_TEXT_LENGTH,
    SearchParameters,
)

# Two numbers with a comma, whatever their range: tells a position off the Earth from a typo.
TWO_DECIMALS = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*,\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*")
FREE_TEXT = ("q", "city", "place")


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
    # Valid parameters the search could not use; it runs without them and says why.
    notices: list[ParameterError] = field(default_factory=list)

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
        dropped: dict[str, Any] = {error.parameter: None for error in (*self.errors, *self.notices)}
        return url_with(**{**dropped, **changes})

    def error_for(self, parameter: str) -> ParameterError | None:
        """The error about this parameter, if any, to show beside its field."""
        return next(
            (error for error in (*self.errors, *self.notices) if error.parameter == parameter),
            None,
        )


def read_search_query(args: Mapping[str, str], exact: bool = False) -> SearchQuery:
    """Read the search parameters; bad ones are left out and recorded in .errors.

    The types and bounds are SearchParameters' (the API document shows the same ones);
    which directions and places exist, the database and the gazetteer say. A form sends
    its empty fields and a person's stray blanks; the API, asked exactly, takes values as
    its document writes them (exact=True), so `age=` is an error there, not "any age".
    """
    raw = given_parameters(args, exact)
    errors: list[ParameterError] = []
    try:
        parameters = SearchParameters.model_validate(raw)
    except ValidationError as invalid:
        refused = {str(problem["loc"][0]) for problem in invalid.errors()}
        errors += [
            parameter_error(name, raw[name])
            for name in SearchParameters.model_fields
            if name in refused
        ]
        parameters = SearchParameters.model_validate(
            {name: value for name, value in raw.items() if name not in refused}
        )
    direction = parameters.direction
    if direction is not None and direction not in direction_slugs():
        errors.append(unknown_direction_error(direction))
        direction = None
    query = SearchQuery(
        filters=Filters(
            text=parameters.q,
            city=parameters.city,
            direction=direction,
            age=parameters.age,
            status=parameters.status,
        ),
        near=point_of(parameters.near),
        radius_km=parameters.radius_km,
        page=parameters.page,
        per_page=min(parameters.limit, MAX_LIMIT),
        errors=errors,
    )
    if parameters.place is not None:
        try:
            query.place = resolve_place(parameters.place)
        except UnknownPlace as unknown:
            errors.append(unknown_place_error(unknown))
    if query.radius_km is not None and query.origin is None:
        if not any(error.parameter in ("near", "place") for error in errors):
            query.notices.append(ParameterError("radius_km", RADIUS_WITHOUT_ORIGIN_MESSAGE))
        query.radius_km = None
    return query


def given_parameters(args: Mapping[str, str], exact: bool) -> dict[str, str]:
    """The search parameters a request gives; free text without surrounding blanks, and
    (unless exact) every other value too, empty ones left out.

    No name or address holds a control character (and PostgreSQL refuses NUL), so in free
    text each one reads as a blank; empty free text is no filter at all.
    """
    given = {}
    for name in SearchParameters.model_fields:
        value = args.get(name)
        if value is None:
            continue
        if name in FREE_TEXT:
            value = without_control_characters(value).strip()
        elif not exact:
            value = value.strip()
        if value or (exact and name not in FREE_TEXT):
            given[name] = value
    return given


def point_of(near: str | None) -> Point | None:
    """near=LAT,LON, already checked, as a point."""
    if near is None:
        return None
    latitude, longitude = (float(part) for part in near.split(","))
    return Point(latitude, longitude)


AGE_MESSAGE = _l("The age (age) must be a whole number of years from 0 to %(max)s.", max=MAX_AGE)
PAGE_MESSAGE = _l("The page number (page) must be a whole number from 1 to %(max)s.", max=MAX_PAGE)
RADIUS_WITHOUT_ORIGIN_MESSAGE = _l(
    "A distance limit (radius_km) needs a starting point: choose a place or use “Near me”."
)
LIMIT_MESSAGE = _l(
    "The page size (limit) must be a whole number from 1; more than %(max)s counts as %(max)s.",
    max=MAX_LIMIT,
)
NEAR_FORMAT_MESSAGE = _l(
    "The position (near) must be a latitude and a longitude in degrees, separated by a "
    "comma, such as 55.7101,37.7183."
)
NEAR_RANGE_MESSAGE = _l(
    "The position (near) is not on Earth: the latitude must be from -90 to 90 and the "
    "longitude from -180 to 180."
)
RADIUS_MESSAGE = _l(
    "The distance limit (radius_km) must be a number of kilometres greater than 0 and at "
    "most %(max)s.",
    max=MAX_RADIUS_KM,
)
STATUS_MESSAGE = _l(
    "The status (status) must be one of: %(choices)s.",
    choices=", ".join(status.value for status in Status),
)


def parameter_error(name: str, value: str) -> ParameterError:
    """Why a parameter's value cannot be used, in the words of that parameter."""
    if name in FREE_TEXT:
        message = _l(
            "%(name)s is too long: at most %(max)s characters.", name=name, max=MAX_TEXT_LENGTH
        )
    elif name == "near":
        message = NEAR_RANGE_MESSAGE if TWO_DECIMALS.fullmatch(value) else NEAR_FORMAT_MESSAGE
    else:
        message = {
            "age": AGE_MESSAGE,
            "page": PAGE_MESSAGE,
            "limit": LIMIT_MESSAGE,
            "radius_km": RADIUS_MESSAGE,
            "status": STATUS_MESSAGE,
        }[name]
    return ParameterError(name, message)


def unknown_direction_error(value: str) -> ParameterError:
    """The error for a direction slug the directory does not know, listing those it does."""
    return ParameterError(
        "direction",
        _l(
            "There is no direction “%(value)s” (direction). Known directions: %(choices)s.",
            value=value[:MAX_TEXT_LENGTH],
            choices=", ".join(sorted(direction_slugs())),
        ),
    )


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

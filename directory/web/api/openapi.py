"""The API described in OpenAPI 3.1: every parameter, every response and the error body."""

from __future__ import annotations

from typing import Any

from ...domain.models import DatePrecision, LocationPrecision, Status
from ..search_params import (
    DEFAULT_LIMIT,
    MAX_AGE,
    MAX_LIMIT,
    MAX_PAGE,
    MAX_RADIUS_KM,
    MAX_TEXT_LENGTH,
)


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema, or null (JSON Schema 2020-12 style, as OpenAPI 3.1 uses)."""
    return {"anyOf": [schema, {"type": "null"}]}


def text_parameter(name: str, description: str) -> dict[str, Any]:
    """A free-text query parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "maxLength": MAX_TEXT_LENGTH},
    }


PARAMETERS: dict[str, dict[str, Any]] = {
    "q": text_parameter(
        "q",
        "Words to find in the name, network, host, directions, city and address. Case and "
        "ё/е do not matter (Cyrillic too); every word must match.",
    ),
    "city": text_parameter(
        "city", "Only technoparks in this city, e.g. Москва (case does not matter)."
    ),
    "direction": {
        "name": "direction",
        "in": "query",
        "required": False,
        "description": "Only technoparks teaching this direction, by slug, e.g. robotics. "
        "An unknown slug is a 400 error.",
        "schema": {"type": "string"},
    },
    "age": {
        "name": "age",
        "in": "query",
        "required": False,
        "description": "The child's age in years: only technoparks whose age range includes "
        "it. A missing bound (age_min or age_max) counts as open.",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_AGE},
    },
    "status": {
        "name": "status",
        "in": "query",
        "required": False,
        "description": "Only technoparks with this status.",
        "schema": {"type": "string", "enum": [status.value for status in Status]},
    },
    "near": {
        "name": "near",
        "in": "query",
        "required": False,
        "description": "LAT,LON in decimal degrees (WGS84), e.g. 55.7101,37.7183. Sorts by "
        "great-circle distance, nearest first, adds distance_km, and leaves out technoparks "
        "without a position. Ignored when place is given.",
        "schema": {
            "type": "string",
            "pattern": r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*,\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$",
        },
        "example": "55.7101,37.7183",
    },
    "place": text_parameter(
        "place",
        "A place to measure distances from, resolved offline: a Russian city (population over "
        "15 000), or a Moscow okrug (e.g. ЦАО), district or metro station. Prefixes such as "
        "«г.», «район», «метро» choose among places of the same name. An unknown name is a "
        "400 error with code unknown_place and suggestions.",
    ),
    "radius_km": {
        "name": "radius_km",
        "in": "query",
        "required": False,
        "description": "With near or place: only technoparks within this many kilometres. "
        "Without a starting point it is a 400 error.",
        "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": MAX_RADIUS_KM},
    },
    "page": {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "The page of results, from 1.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    "limit": {
        "name": "limit",
        "in": "query",
        "required": False,
        "description": f"Items per page; larger values count as {MAX_LIMIT}.",
        "schema": {"type": "integer", "minimum": 1, "default": DEFAULT_LIMIT},
    },
}
FILTERS = ["q", "city", "direction", "age", "status", "near", "place", "radius_km"]


def reference(kind: str, name: str) -> dict[str, str]:
    """A $ref to a component."""
    return {"$ref": f"#/components/{kind}/{name}"}


TECHNOPARK_FIELDS: dict[str, Any] = {
    "slug": {"type": "string"},
    "name": {"type": "string"},
    "network": nullable({"type": "string"}),
    "status": {"type": "string", "enum": [status.value for status in Status]},
    "city": {"type": "string"},
    "address": nullable({"type": "string"}),
    "latitude": nullable({"type": "number", "minimum": -90, "maximum": 90}),
    "longitude": nullable({"type": "number", "minimum": -180, "maximum": 180}),
    "location_precision": {
        "type": "string",
        "enum": [precision.value for precision in LocationPrecision],
        "description": "What the map point points at; anything but building is approximate.",
    },
    "directions": {"type": "array", "items": {"type": "string"}, "description": "Slugs."},
    "age_min": nullable({"type": "integer", "minimum": 0}),
    "age_max": nullable({"type": "integer", "minimum": 0}),
    "opening_date": nullable(
        {
            "type": "string",
            "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
            "description": "ISO 8601 at the precision known: 2016-09-29, 2017-12 or 2018.",
        }
    ),
    "opening_date_precision": nullable(
        {"type": "string", "enum": [precision.value for precision in DatePrecision]}
    ),
    "host_organization": nullable({"type": "string", "description": "The host's name."}),
    "program": nullable({"type": "string", "description": "The programme's name."}),
    "url": {"type": "string", "format": "uri", "description": "The public profile page."},
}
TECHNOPARK_REQUIRED = list(TECHNOPARK_FIELDS)

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [
                            "invalid_parameter",
                            "unknown_place",
                            "not_found",
                            "method_not_allowed",
                        ],
                    },
                    "message": {"type": "string", "description": "Names the parameter."},
                    "parameter": {"type": "string", "description": "The parameter at fault."},
                    "suggestions": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "For unknown_place: the closest known place names.",
                    },
                },
            }
        },
    },
    "Technopark": {
        "type": "object",
        "required": TECHNOPARK_REQUIRED,
        "properties": {
            **TECHNOPARK_FIELDS,
            "distance_km": {
                "type": "number",
                "minimum": 0,
                "description": "Great-circle distance from near or place; only then present.",
            },
        },
    },
    "TechnoparkDetail": {
        "allOf": [
            reference("schemas", "Technopark"),
            {
                "type": "object",
                "required": ["contacts", "verified_at", "news"],
                "properties": {
                    "district": nullable({"type": "string"}),
                    "location_note": nullable({"type": "string"}),
                    "description": nullable({"type": "string"}),
                    "sources": nullable({"type": "string"}),
                    "contacts": {
                        "type": "object",
                        "required": ["phone", "website", "email"],
                        "properties": {
                            "phone": nullable({"type": "string"}),
                            "website": nullable({"type": "string"}),
                            "email": nullable({"type": "string"}),
                        },
                    },
                    "verified_at": nullable(
                        {
                            "type": "string",
                            "format": "date-time",
                            "description": "When the coordinator last confirmed the facts.",
                        }
                    ),
                    "news": {"type": "array", "items": reference("schemas", "NewsLink")},
                },
            },
        ]
    },
    "Origin": {
        "type": "object",
        "required": ["latitude", "longitude"],
        "properties": {
            "latitude": {"type": "number"},
            "longitude": {"type": "number"},
            "place": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "kind": {
                        "type": "string",
                        "enum": ["city", "okrug", "district", "settlement", "metro"],
                    },
                    "detail": nullable({"type": "string"}),
                },
            },
        },
    },
    "TechnoparkList": {
        "type": "object",
        "required": ["items", "total", "page", "limit", "pages"],
        "properties": {
            "items": {"type": "array", "items": reference("schemas", "Technopark")},
            "total": {"type": "integer", "minimum": 0, "description": "Matches on all pages."},
            "page": {"type": "integer", "minimum": 1},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "pages": {"type": "integer", "minimum": 1},
            "origin": reference("schemas", "Origin"),
            "without_position": {
                "type": "integer",
                "minimum": 0,
                "description": "With near or place: matches left out for want of a position.",
            },
        },
    },
    "NewsLink": {
        "type": "object",
        "required": ["title", "url", "outlet", "published_on"],
        "properties": {
            "title": nullable({"type": "string"}),
            "url": {"type": "string", "format": "uri"},
            "outlet": nullable({"type": "string"}),
            "published_on": nullable({"type": "string", "format": "date"}),
        },
    },
    "NewsItem": {
        "allOf": [
            reference("schemas", "NewsLink"),
            {
                "type": "object",
                "required": ["summary", "language", "technoparks"],
                "properties": {
                    "summary": nullable({"type": "string"}),
                    "language": {"type": "string"},
                    "technoparks": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["slug", "name", "url"],
                            "properties": {
                                "slug": {"type": "string"},
                                "name": {"type": "string"},
                                "url": {"type": "string", "format": "uri"},
                            },
                        },
                    },
                },
            },
        ]
    },
    "NewsList": {
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": reference("schemas", "NewsItem")}},
    },
    "Feature": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "geometry": {
                "type": "object",
                "required": ["type", "coordinates"],
                "properties": {
                    "type": {"const": "Point"},
                    "coordinates": {
                        "type": "array",
                        "description": "[longitude, latitude] (RFC 7946).",
                        "prefixItems": [
                            {"type": "number", "minimum": -180, "maximum": 180},
                            {"type": "number", "minimum": -90, "maximum": 90},
                        ],
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
            "properties": {
                "type": "object",
                "required": ["slug", "name", "city", "host_organization", "url"],
                "properties": {
                    "slug": {"type": "string"},
                    "name": {"type": "string"},
                    "city": {"type": "string"},
                    "host_organization": nullable({"type": "string"}),
                    "url": {"type": "string", "format": "uri"},
                    "location_precision": TECHNOPARK_FIELDS["location_precision"],
                    "distance_km": {"type": "number", "minimum": 0},
                },
            },
        },
    },
    "FeatureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": reference("schemas", "Feature")},
        },
    },
}

RESPONSES: dict[str, Any] = {
    "BadRequest": {
        "description": "A parameter could not be used; the error names it.",
        "content": {"application/json": {"schema": reference("schemas", "Error")}},
    },
    "NotFound": {
        "description": "No such published record.",
        "content": {"application/json": {"schema": reference("schemas", "Error")}},
    },
}


def ok(description: str, schema: str, media_type: str = "application/json") -> dict[str, Any]:
    """A 200 response with this body."""
    return {
        "description": description,
        "content": {media_type: {"schema": reference("schemas", schema)}},
    }


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document served at /api/openapi.json."""
    filters = [reference("parameters", name) for name in FILTERS]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Children's technopark directory API",
            "version": "1.0.0",
            "description": "Read-only open data on Russian children's technoparks: published "
            "records only. Any origin may read it (CORS). Bad parameters get 400 with an "
            "error object naming the parameter.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/technoparks": {
                "get": {
                    "operationId": "listTechnoparks",
                    "summary": "Technoparks matching the filters, a page at a time",
                    "description": "By city and name; with near or place, nearest first.",
                    "parameters": [
                        *filters,
                        reference("parameters", "page"),
                        reference("parameters", "limit"),
                    ],
                    "responses": {
                        "200": ok("A page of technoparks.", "TechnoparkList"),
                        "400": reference("responses", "BadRequest"),
                    },
                }
            },
            "/api/technoparks/{slug}": {
                "get": {
                    "operationId": "getTechnopark",
                    "summary": "One technopark with contacts and news",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "description": "The technopark's slug, e.g. "
                            "kvantorium-technopolis-moscow.",
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": ok("The technopark.", "TechnoparkDetail"),
                        "404": reference("responses", "NotFound"),
                    },
                }
            },
            "/api/technoparks.geojson": {
                "get": {
                    "operationId": "technoparksGeoJSON",
                    "summary": "Every matching technopark with a position, as GeoJSON",
                    "description": "RFC 7946 FeatureCollection of Points; the same filters as "
                    "the list, without pages. Technoparks without a position are left out.",
                    "parameters": filters,
                    "responses": {
                        "200": ok(
                            "The technoparks on the map.",
                            "FeatureCollection",
                            "application/geo+json",
                        ),
                        "400": reference("responses", "BadRequest"),
                    },
                }
            },
            "/api/news": {
                "get": {
                    "operationId": "listNews",
                    "summary": "News articles about the technoparks, newest first",
                    "responses": {"200": ok("The articles.", "NewsList")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.1",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {"parameters": PARAMETERS, "schemas": SCHEMAS, "responses": RESPONSES},
    }

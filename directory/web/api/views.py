"""The read-only API: technoparks as JSON and GeoJSON, the news feed, and its OpenAPI text."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import force_locale

from ...domain.records import public_news, published_technopark
from ...domain.search import placed_technoparks, search_technoparks
from ..caching import cached_page
from ..search_params import ParameterError, SearchQuery, read_search_query
from .openapi import openapi_document
from .serialize import geojson_feature, news_item, technopark_detail, technopark_item


def allow_any_origin(response: Response) -> Response:
    """Open data: any site may read the API from a browser."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def error_response(
    status: int, code: str, message: str, parameter: str | None = None, **extra: object
) -> tuple[Response, int]:
    """The API's error body: {"error": {"code", "message", …}}."""
    error: dict[str, object] = {"code": code, "message": message}
    if parameter is not None:
        error["parameter"] = parameter
    error.update(extra)
    return jsonify(error=error), status


def parameter_error(error: ParameterError) -> tuple[Response, int]:
    """400 for a bad parameter, its message in English whatever the visitor's language."""
    with force_locale("en"):
        message = str(error.message)
    extra: dict[str, object] = {}
    if error.code == "unknown_place":
        extra["suggestions"] = list(error.suggestions)
        if error.suggestions:
            message += " Did you mean: " + ", ".join(error.suggestions) + "?"
    return error_response(400, error.code, message, error.parameter, **extra)


def origin_body(query: SearchQuery) -> dict[str, object] | None:
    """Where distances were measured from, as the response reports it."""
    origin = query.origin
    if origin is None:
        return None
    body: dict[str, object] = {"latitude": origin.latitude, "longitude": origin.longitude}
    if query.place is not None:
        body["place"] = {
            "name": query.place.name,
            "kind": query.place.kind.value,
            "detail": query.place.detail,
        }
    return body


@cached_page
def technoparks_list():
    query = read_search_query(request.args)
    if query.errors:
        return parameter_error(query.errors[0])
    result = search_technoparks(
        query.filters, query.origin, query.radius_km, query.page, query.per_page
    )
    measured = query.origin is not None
    body: dict[str, object] = {
        "items": [
            technopark_item(technopark, result.distances.get(technopark.id))
            for technopark in result.technoparks
        ],
        "total": result.total,
        "page": result.page,
        "limit": result.per_page,
        "pages": result.pages,
    }
    if measured:
        body["origin"] = origin_body(query)
        body["without_position"] = result.unplaced
    return jsonify(body)


@cached_page
def technopark_show(slug: str):
    technopark = published_technopark(slug)
    if technopark is None:
        return error_response(404, "not_found", f"No published technopark has the slug {slug!r}.")
    return jsonify(technopark_detail(technopark))


@cached_page
def technoparks_geojson():
    query = read_search_query(request.args)
    if query.errors:
        return parameter_error(query.errors[0])
    placed = placed_technoparks(query.filters, query.origin, query.radius_km)
    collection = {
        "type": "FeatureCollection",
        "features": [geojson_feature(technopark, distance) for technopark, distance in placed],
    }
    response = jsonify(collection)
    response.mimetype = "application/geo+json"
    return response


@cached_page
def news_list():
    return jsonify(items=[news_item(article) for article in public_news()])


def openapi():
    return jsonify(openapi_document())


def unknown(path: str):
    """Anything else under /api: a JSON 404, or 405 for a write to a read-only endpoint."""
    if request.method != "GET":
        response, status = error_response(
            405, "method_not_allowed", "The API is read-only: use GET."
        )
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response, status
    return error_response(404, "not_found", f"There is no API endpoint /api/{path}.")

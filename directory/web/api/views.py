"""The read-only API: technoparks as JSON and GeoJSON, the news feed, and its OpenAPI text."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import force_locale
from pydantic import BaseModel

from ...db.memo import remember
from ...domain.records import public_news, published_technopark
from ...domain.search import direction_slugs, placed_technoparks, search_technoparks
from ..caching import cached_page
from ..search_params import ParameterError, SearchQuery, read_search_query
from . import schemas
from .openapi import openapi_document
from .serialize import geojson_feature, news_item, technopark_detail, technopark_item


def allow_any_origin(response: Response) -> Response:
    """Open data: any site may read the API from a browser."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def json_answer(body: BaseModel, status: int = 200, mimetype: str = "application/json") -> Response:
    """A model as the API writes it: only the fields that were given, as JSON."""
    return Response(body.model_dump_json(exclude_unset=True), status=status, mimetype=mimetype)


def error_response(
    status: int,
    code: str,
    message: str,
    parameter: str | None = None,
    suggestions: list[str] | None = None,
) -> Response:
    """The API's error body: {"error": {"code", "message", …}}."""
    error = schemas.ErrorDetail(code=code, message=message)
    if parameter is not None:
        error.parameter = parameter
    if suggestions is not None:
        error.suggestions = suggestions
    return json_answer(schemas.ErrorBody(error=error), status)


def parameter_error(error: ParameterError) -> Response:
    """400 for a bad parameter, 404 for a place nobody knows; in English whatever the
    visitor's language."""
    message = in_english(error)
    if error.code != "unknown_place":
        return error_response(400, error.code, message, error.parameter)
    suggestions = list(error.suggestions)
    if suggestions:
        message += " Did you mean: " + ", ".join(suggestions) + "?"
    return error_response(404, error.code, message, error.parameter, suggestions)


def in_english(error: ParameterError) -> str:
    with force_locale("en"):
        return str(error.message)


def warnings_of(query: SearchQuery) -> list[schemas.Warning]:
    """The parameters the search ran without, and why."""
    return [
        schemas.Warning(parameter=notice.parameter, message=in_english(notice))
        for notice in query.notices
    ]


def origin_of(query: SearchQuery) -> schemas.Origin | None:
    """Where distances were measured from, as the response reports it."""
    origin = query.origin
    if origin is None:
        return None
    body = schemas.Origin(latitude=origin.latitude, longitude=origin.longitude)
    if query.place is not None:
        body.place = schemas.PlaceInfo(
            name=query.place.name, kind=query.place.kind.value, detail=query.place.detail
        )
    return body


@cached_page
def technoparks_list():
    query = read_search_query(request.args, exact=True)
    if query.errors:
        return parameter_error(query.errors[0])
    result = search_technoparks(
        query.filters, query.origin, query.radius_km, query.page, query.per_page
    )
    body = schemas.TechnoparkList(
        items=[
            technopark_item(technopark, result.distances.get(technopark.id))
            for technopark in result.technoparks
        ],
        total=result.total,
        page=result.page,
        limit=result.per_page,
        pages=result.pages,
    )
    if query.origin is not None:
        body.origin = origin_of(query)
        body.without_position = result.unplaced
    if query.notices:
        body.warnings = warnings_of(query)
    return json_answer(body)


@cached_page
def technopark_show(slug: str):
    technopark = published_technopark(slug)
    if technopark is None:
        return error_response(404, "not_found", f"No published technopark has the slug {slug!r}.")
    return json_answer(technopark_detail(technopark))


@cached_page
def technoparks_geojson():
    query = read_search_query(request.args, exact=True)
    if query.errors:
        return parameter_error(query.errors[0])
    placed = placed_technoparks(query.filters, query.origin, query.radius_km)
    collection = schemas.FeatureCollection(
        type="FeatureCollection",
        features=[geojson_feature(technopark, distance) for technopark, distance in placed],
    )
    if query.notices:
        collection.warnings = warnings_of(query)
    return json_answer(collection, mimetype="application/geo+json")


@cached_page
def news_list():
    return json_answer(schemas.NewsList(items=[news_item(article) for article in public_news()]))


def openapi():
    # The direction parameter lists the directions stored: built once per data version.
    document = remember("openapi", lambda: openapi_document(sorted(direction_slugs())))
    return jsonify(document)


def unknown(path: str):
    """Any other address under /api: a JSON 404."""
    return error_response(404, "not_found", f"There is no API endpoint /api/{path}.")

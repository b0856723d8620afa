"""The OpenAPI 3.1 document, generated from the schemas the API answers with.

Every route under /api is listed, the downloads under /api/export.* included, with every
error the API sends (400, 404, 405, 503) and its body. The direction parameter lists the
directions the database knows, so the document is built per data version.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from . import schemas

REF_TEMPLATE = "#/components/schemas/{model}"
RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    schemas.ErrorBody,
    schemas.TechnoparkList,
    schemas.TechnoparkDetail,
    schemas.FeatureCollection,
    schemas.NewsList,
    schemas.ExportDocument,
    schemas.ExportFeatureCollection,
)
FILTERS = ("q", "city", "direction", "age", "status", "near", "place", "radius_km")
PAGING = ("page", "limit")

ERRORS = {
    "400": "A parameter could not be used; the error names it.",
    "404": "No such published record, or no such endpoint; for a search, a place the "
    "gazetteer does not know (code unknown_place, with suggestions).",
    "405": "The API is read-only: only GET (and HEAD) are answered.",
    "503": "The database is unreachable; try again after Retry-After seconds.",
}


class WithoutTitles(GenerateJsonSchema):
    """JSON Schema without the titles pydantic derives from names (the names say it), and
    without a null default for what is left out rather than written as null."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> Any:
        generated = super().default_schema(schema)
        if generated.get("default", ...) is None:
            del generated["default"]
        return generated


def reference(name: str) -> dict[str, str]:
    """A $ref to a component schema."""
    return {"$ref": REF_TEMPLATE.format(model=name)}


def component_schemas() -> dict[str, Any]:
    """The response bodies as JSON Schema 2020-12, each model a named component."""
    _, top = models_json_schema(
        [(model, "serialization") for model in RESPONSE_MODELS],
        ref_template=REF_TEMPLATE,
        schema_generator=WithoutTitles,
    )
    definitions = top["$defs"]
    for definition in definitions.values():
        definition.pop("title", None)
    return definitions


def parameters(names: tuple[str, ...], directions: list[str]) -> list[dict[str, Any]]:
    """Query parameters as SearchParameters reads them."""
    document = schemas.SearchParameters.model_json_schema(schema_generator=WithoutTitles)
    definitions = document.get("$defs", {})
    listed = []
    for name in names:
        schema = dict(document["properties"][name])
        description = schema.pop("description", "")
        if "$ref" in schema:
            # A query parameter's choices are written out, not referred to.
            schema.update(definitions[schema.pop("$ref").rsplit("/", 1)[1]])
            schema.pop("title", None)
            schema.pop("description", None)
        if name == "direction":
            schema["enum"] = directions
        listed.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": schema,
            }
        )
    return listed


def answer(description: str, model: str, media_type: str = "application/json") -> dict[str, Any]:
    """A response with a body of this component schema."""
    return {"description": description, "content": {media_type: {"schema": reference(model)}}}


def errors(*statuses: str) -> dict[str, Any]:
    """The error responses of an operation, each with the error body."""
    return {status: answer(ERRORS[status], "ErrorBody") for status in statuses}


def operation(
    operation_id: str,
    summary: str,
    responses: dict[str, Any],
    parameters_: list[dict[str, Any]] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """One GET operation; every operation may also answer 405 and 503."""
    body: dict[str, Any] = {"operationId": operation_id, "summary": summary}
    if description:
        body["description"] = description
    if parameters_:
        body["parameters"] = parameters_
    body["responses"] = {**responses, **errors("405", "503")}
    return {"get": body}


def download(operation_id: str, summary: str, media_type: str, model: str | None) -> dict:
    """A public download: 200 with the file, or 304 when the client's copy is current."""
    content_schema = reference(model) if model else {"type": "string"}
    return operation(
        operation_id,
        summary,
        {
            "200": {
                "description": "The file, as an attachment; its ETag names the content.",
                "content": {media_type: {"schema": content_schema}},
            },
            "304": {"description": "The client's copy (If-None-Match) is current."},
        },
        description="Published technoparks only, every column of the export, ordered by slug. "
        "Any origin may fetch it (CORS).",
    )


def openapi_document(directions: list[str]) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document served at /api/openapi.json."""
    filters = parameters(FILTERS, directions)
    slug = {
        "name": "slug",
        "in": "path",
        "required": True,
        "description": "The technopark's slug, e.g. kvantorium-technopolis-moscow.",
        "schema": {"type": "string"},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Children's technopark directory API",
            "version": "1.1.0",
            "description": "Read-only open data on Russian children's technoparks: published "
            "records only. Any origin may read it (CORS). Bad parameters get 400 with an "
            "error object naming the parameter.",
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/technoparks": operation(
                "listTechnoparks",
                "Technoparks matching the filters, a page at a time",
                {
                    "200": answer("A page of technoparks.", "TechnoparkList"),
                    **errors("400", "404"),
                },
                [*filters, *parameters(PAGING, directions)],
                "By city and name; with near or place, nearest first.",
            ),
            "/api/technoparks/{slug}": operation(
                "getTechnopark",
                "One technopark with contacts and news",
                {"200": answer("The technopark.", "TechnoparkDetail"), **errors("404")},
                [slug],
            ),
            "/api/technoparks.geojson": operation(
                "technoparksGeoJSON",
                "Every matching technopark with a position, as GeoJSON",
                {
                    "200": answer(
                        "The technoparks on the map.", "FeatureCollection", "application/geo+json"
                    ),
                    **errors("400", "404"),
                },
                filters,
                "RFC 7946 FeatureCollection of Points; the same filters as the list, without "
                "pages. Technoparks without a position are left out.",
            ),
            "/api/news": operation(
                "listNews",
                "News articles about the technoparks, newest first",
                {"200": answer("The articles.", "NewsList")},
            ),
            "/api/openapi.json": operation(
                "openapi",
                "This document",
                {
                    "200": {
                        "description": "OpenAPI 3.1",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            ),
            "/api/export.csv": download(
                "exportCSV", "Every published technopark as CSV", "text/csv", None
            ),
            "/api/export.json": download(
                "exportJSON",
                "Every published technopark as JSON",
                "application/json",
                "ExportDocument",
            ),
            "/api/export.geojson": download(
                "exportGeoJSON",
                "Every published technopark as GeoJSON (null geometry where unplaced)",
                "application/geo+json",
                "ExportFeatureCollection",
            ),
        },
        "components": {"schemas": component_schemas()},
    }

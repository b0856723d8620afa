"""The map: a cached folium shell and the marker data it loads."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from flask import current_app, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ...domain.map_cells import DEEPEST_ZOOM, MAX_ZOOM, ensure_cells, view_clusters
from ...domain.markers import marker_payload
from ...domain.models import Technopark
from ...domain.search import filter_conditions
from ...extensions import db
from ..caching import CachedBody, cached_body, conditional
from ..maps import MapAssets, build_map_shell
from ..search_params import read_search_query
from ..security_headers import content_security_policy, inline_hashes, tile_origin


def map_assets() -> MapAssets:
    """Our own URLs for every asset the map loads."""
    return MapAssets(
        leaflet_js=url_for("vendor.asset", package="leaflet", filename="leaflet.js"),
        leaflet_css=url_for("vendor.asset", package="leaflet", filename="leaflet.css"),
        markercluster_js=url_for(
            "vendor.asset", package="markercluster", filename="leaflet.markercluster.js"
        ),
        markercluster_css=url_for(
            "vendor.asset", package="markercluster", filename="MarkerCluster.css"
        ),
        markercluster_default_css=url_for(
            "vendor.asset", package="markercluster", filename="MarkerCluster.Default.css"
        ),
        map_js=url_for("static", filename="js/map.js"),
        map_css=url_for("static", filename="css/map.css"),
    )


def map_shell():
    # The shell holds no listing data, so one rendering serves every request of this process.
    cache = current_app.extensions.setdefault("map_shell", {})
    if "body" not in cache:
        html = build_map_shell(
            current_app.config["TILES_URL"],
            current_app.config["TILES_ATTRIBUTION"],
            url_for("public.map_markers"),
            map_assets(),
        )
        hashes = inline_hashes(html)
        csp = content_security_policy(
            tile_origin(current_app.config["TILES_URL"]), hashes["script"], hashes["style"]
        )
        cache["body"] = CachedBody.of(
            html.encode(), "text/html", headers=(("Content-Security-Policy", csp),)
        )
    return conditional(cache["body"])


def map_markers():
    # Built once per data version, filters and language; revalidated by ETag (304).
    key = ("markers", request.query_string, str(get_locale()))
    return conditional(cached_body(key, marker_body))


def marker_body() -> CachedBody:
    """The marker data for this request's filters, as compact UTF-8 JSON."""
    # The same filters as the list beside the map; a bad one is reported by the page itself.
    query = read_search_query(request.args)
    conditions = filter_conditions(query.filters)
    if slug := request.args.get("slug"):
        conditions.append(Technopark.slug == slug)
    payload = marker_payload(conditions, query.origin, query.radius_km)
    # Leaflet.markercluster builds a per-marker tree: fine for a directory, seconds for a
    # nation's worth, where static/js/map.js draws grid clusters of the view instead.
    limit = current_app.config["MAP_MARKERCLUSTER_LIMIT"]
    payload["clustering"] = "markercluster" if len(payload["rows"]) <= limit else "grid"
    payload["labels"] = {
        "open_profile": _("Open the profile"),
        "approximate": _("Approximate location"),
        "search_here": _("Find technoparks near this point"),
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return CachedBody.of(body.encode(), "application/json")


# ---------------------------------------------------------------- clusters of a view


@dataclass(frozen=True)
class MapView:
    """What a map shows: a box (west, south, east, north) at a zoom."""

    box: tuple[float, float, float, float]
    zoom: int


class MapViewError(ValueError):
    """A view the clusters cannot be read for; the message names the parameter."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


def read_map_view(args) -> MapView:  # noqa: ANN001 - request.args
    """bbox=W,S,E,N in degrees (a map panned round the world may pass ±180) and zoom=0…22."""
    parts = (args.get("bbox") or "").split(",")
    try:
        box = tuple(float(part) for part in parts)
    except ValueError:
        box = ()
    if len(box) != 4 or not all(math.isfinite(value) for value in box):
        raise MapViewError("bbox", "Give bbox as four numbers: west,south,east,north.")
    west, south, east, north = box
    if not (-90 <= south <= north <= 90):
        raise MapViewError("bbox", "south and north must be latitudes, south ≤ north.")
    if not (-720 <= west <= east <= 720):
        raise MapViewError("bbox", "west and east must be longitudes, west ≤ east.")
    zoom = args.get("zoom", "")
    if not zoom.isdigit() or int(zoom) > 22:
        raise MapViewError("zoom", "Give zoom as a whole number from 0 to 22.")
    return MapView(box, min(int(zoom), MAX_ZOOM))


def map_clusters():
    """The clusters and single listings of a map view, from cells kept per zoom level."""
    try:
        view = read_map_view(request.args)
    except MapViewError as error:
        body = {"code": "invalid_parameter", "message": str(error), "parameter": error.parameter}
        return jsonify(error=body), 400
    return conditional(cached_body(("clusters", view), lambda: cluster_body(view)))


def cluster_body(view: MapView) -> CachedBody:
    if view.zoom <= DEEPEST_ZOOM and ensure_cells():
        # This request began reading before the cells were built: read them afresh.
        db.session.rollback()
    payload = view_clusters(*view.box, view.zoom)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return CachedBody.of(body.encode(), "application/json")

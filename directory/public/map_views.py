"""The map: a cached folium shell and the marker data it loads."""

from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from ..filters import read_search_query
from ..maps import MapAssets, build_map_shell
from ..markers import MARKER_FIELDS, marker_rows
from ..models import Technopark
from ..search import filter_conditions
from ..security_headers import content_security_policy, inline_hashes, tile_origin
from .views import bp


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


@bp.get("/map")
def map_shell():
    # The shell holds no listing data, so one rendering serves every request.
    cache = current_app.extensions.setdefault("map_shell", {})
    if "html" not in cache:
        html = build_map_shell(
            current_app.config["TILES_URL"],
            current_app.config["TILES_ATTRIBUTION"],
            url_for("public.map_markers"),
            map_assets(),
        )
        hashes = inline_hashes(html)
        cache["html"] = html
        cache["csp"] = content_security_policy(
            tile_origin(current_app.config["TILES_URL"]), hashes["script"], hashes["style"]
        )
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": cache["csp"]}
    return cache["html"], 200, headers


@bp.get("/map/markers.json")
def map_markers():
    # The same filters as the list beside the map; a bad one is reported by the page itself.
    query = read_search_query(request.args)
    conditions = filter_conditions(query.filters)
    if slug := request.args.get("slug"):
        conditions.append(Technopark.slug == slug)
    return jsonify(
        fields=MARKER_FIELDS,
        rows=marker_rows(conditions, query.origin, query.radius_km),
        labels={
            "open_profile": _("Open the profile"),
            "approximate": _("Approximate location"),
            "search_here": _("Find technoparks near this point"),
        },
    )

"""Leaflet and its marker-cluster plugin, served from the installed XStatic packages (no CDN)."""

from __future__ import annotations

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from flask import Blueprint, Response, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

# A week: the files change only when the pinned package version does.
MAX_AGE = 7 * 24 * 3600


@bp.get("/leaflet/<path:filename>")
def leaflet(filename: str) -> Response:
    return send_from_directory(xstatic.pkg.leaflet.BASE_DIR, filename, max_age=MAX_AGE)


@bp.get("/markercluster/<path:filename>")
def markercluster(filename: str) -> Response:
    return send_from_directory(
        xstatic.pkg.leaflet_markercluster.BASE_DIR, filename, max_age=MAX_AGE
    )

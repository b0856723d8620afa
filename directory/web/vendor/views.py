"""Leaflet and Leaflet.markercluster, served from their installed XStatic packages.

Pages and the map load every script, stylesheet and image from here, never from a CDN.
"""

from __future__ import annotations

import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from flask import Response, send_from_directory

PACKAGES = {
    "leaflet": xstatic.pkg.leaflet.BASE_DIR,
    "markercluster": xstatic.pkg.leaflet_markercluster.BASE_DIR,
}

# The files are versioned by the pinned package, so browsers may keep them a day.
MAX_AGE = 24 * 3600


def asset(package: str, filename: str) -> Response:
    return send_from_directory(PACKAGES[package], filename, max_age=MAX_AGE)

"""Leaflet and Leaflet.markercluster, served from their installed XStatic packages."""

from flask import Blueprint

from . import views

bp = Blueprint("vendor", __name__, url_prefix="/vendor")
bp.add_url_rule("/<any(leaflet, markercluster):package>/<path:filename>", view_func=views.asset)

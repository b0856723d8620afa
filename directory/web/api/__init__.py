"""The read-only JSON, GeoJSON and OpenAPI endpoints under /api."""

from flask import Blueprint

from ...extensions import csrf
from . import views

EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]

bp = Blueprint("api", __name__, url_prefix="/api")
# Read-only GET endpoints: no session state changes, so no CSRF token is needed.
csrf.exempt(bp)
bp.after_request(views.allow_any_origin)
bp.add_url_rule("/technoparks", view_func=views.technoparks_list)
bp.add_url_rule("/technoparks/<slug>", view_func=views.technopark_show)
bp.add_url_rule("/technoparks.geojson", view_func=views.technoparks_geojson)
bp.add_url_rule("/news", view_func=views.news_list)
bp.add_url_rule("/openapi.json", view_func=views.openapi)
# Anything else under /api answers in JSON, not with the site's HTML error page.
bp.add_url_rule("/", defaults={"path": ""}, view_func=views.unknown, methods=EVERY_METHOD)
bp.add_url_rule("/<path:path>", view_func=views.unknown, methods=EVERY_METHOD)

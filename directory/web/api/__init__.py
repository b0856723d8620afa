"""The read-only JSON, GeoJSON and OpenAPI endpoints under /api."""

from flask import Blueprint

from ...extensions import csrf
from . import views

bp = Blueprint("api", __name__, url_prefix="/api")
# Read-only GET endpoints: no session state changes, so no CSRF token is needed.
csrf.exempt(bp)
bp.after_request(views.allow_any_origin)
bp.add_url_rule("/technoparks", view_func=views.technoparks_list)
bp.add_url_rule("/technoparks/<slug>", view_func=views.technopark_show)
bp.add_url_rule("/technoparks.geojson", view_func=views.technoparks_geojson)
bp.add_url_rule("/news", view_func=views.news_list)
bp.add_url_rule("/openapi.json", view_func=views.openapi)
# Any other address under /api answers 404 in JSON. Other methods than GET get 405 with
# Allow (directory/web/errors.py), and OPTIONS lists exactly GET, HEAD and OPTIONS.
bp.add_url_rule("/", defaults={"path": ""}, view_func=views.unknown)
bp.add_url_rule("/<path:path>", view_func=views.unknown)

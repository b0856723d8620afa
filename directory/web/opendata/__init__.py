"""Open data for other sites and search engines: exports, the sitemap and robots.txt."""

from flask import Blueprint

from . import views

bp = Blueprint("opendata", __name__)
bp.add_url_rule("/api/export.csv", view_func=views.export_csv)
bp.add_url_rule("/api/export.json", view_func=views.export_json)
bp.add_url_rule("/api/export.geojson", view_func=views.export_geojson)
bp.add_url_rule("/sitemap.xml", view_func=views.sitemap)
bp.add_url_rule("/robots.txt", view_func=views.robots)

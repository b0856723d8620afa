"""The public side: the map and list, profiles, news, programmes, hosts and health."""

from flask import Blueprint

from . import map_views, views

bp = Blueprint("public", __name__)
bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/technoparks/<slug>", view_func=views.technopark_detail)
bp.add_url_rule("/organizations/<slug>", view_func=views.organization_detail)
bp.add_url_rule("/programs/<slug>", view_func=views.program_detail)
bp.add_url_rule("/news", view_func=views.news_list)
bp.add_url_rule("/healthz", view_func=views.healthz)
bp.add_url_rule("/map", view_func=map_views.map_shell)
bp.add_url_rule("/map/markers.json", view_func=map_views.map_markers)
bp.add_url_rule("/map/clusters", view_func=map_views.map_clusters)

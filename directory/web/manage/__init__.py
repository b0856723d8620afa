"""The coordinators' workspace: technoparks, news, history, imports, visitors' reports;
accounts and requests for access for admins.

Every view says who may use it (see views.py); anonymous visitors are sent to sign in.
The dashboard's queue of reports comes from feedback_views.dashboard_context.
"""

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from ..auth.views import form_expired
from . import feedback_views, import_views, views

bp = Blueprint("manage", __name__, url_prefix="/manage")
bp.context_processor(views.history_helpers)
bp.context_processor(feedback_views.dashboard_context)
bp.register_error_handler(CSRFError, form_expired)

bp.add_url_rule("/", view_func=views.index)
bp.add_url_rule("/technoparks/new", view_func=views.technopark_new, methods=["GET", "POST"])
bp.add_url_rule(
    "/technoparks/<slug>/edit", view_func=views.technopark_edit, methods=["GET", "POST"]
)
bp.add_url_rule("/technoparks/<slug>/history", view_func=views.technopark_history)
bp.add_url_rule(
    "/technoparks/<slug>/history/<int:entry_id>", view_func=views.technopark_history_entry
)
bp.add_url_rule("/technoparks/<slug>/confirm", view_func=views.technopark_confirm, methods=["POST"])
bp.add_url_rule("/technoparks/<slug>/publish", view_func=views.technopark_publish, methods=["POST"])
bp.add_url_rule("/import", view_func=import_views.technoparks_import, methods=["GET", "POST"])
bp.add_url_rule("/news/new", view_func=views.news_new, methods=["GET", "POST"])
bp.add_url_rule("/news/<int:article_id>/edit", view_func=views.news_edit, methods=["GET", "POST"])
bp.add_url_rule("/users", view_func=views.user_list)
bp.add_url_rule("/users/new", view_func=views.user_new, methods=["GET", "POST"])
bp.add_url_rule("/users/<int:user_id>/grant", view_func=views.user_grant, methods=["POST"])
bp.add_url_rule("/users/<int:user_id>/revoke/<slug>", view_func=views.user_revoke, methods=["POST"])
bp.add_url_rule(
    "/users/<int:user_id>/deactivate", view_func=views.user_deactivate, methods=["POST"]
)
bp.add_url_rule("/users/<int:user_id>/activate", view_func=views.user_activate, methods=["POST"])
bp.add_url_rule("/password", view_func=views.password_change, methods=["GET", "POST"])
bp.add_url_rule(
    "/reports/<int:report_id>/apply", view_func=feedback_views.report_apply, methods=["POST"]
)
bp.add_url_rule(
    "/reports/<int:report_id>/done", view_func=feedback_views.report_done, methods=["POST"]
)
bp.add_url_rule(
    "/reports/<int:report_id>/reject", view_func=feedback_views.report_reject, methods=["POST"]
)
bp.add_url_rule("/access-requests", view_func=feedback_views.access_request_list)
bp.add_url_rule(
    "/access-requests/<int:request_id>/approve",
    view_func=feedback_views.access_request_approve,
    methods=["POST"],
)
bp.add_url_rule(
    "/access-requests/<int:request_id>/reject",
    view_func=feedback_views.access_request_reject,
    methods=["POST"],
)

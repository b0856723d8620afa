"""Visitors and staff write in: report a mistake on a profile, ask for access to a listing."""

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from . import views

bp = Blueprint("feedback", __name__)
bp.add_url_rule("/technoparks/<slug>/report", view_func=views.report_new, methods=["GET", "POST"])
bp.add_url_rule("/technoparks/<slug>/report/thanks", view_func=views.report_thanks)
bp.add_url_rule("/technoparks/<slug>/access", view_func=views.access_new, methods=["GET", "POST"])
bp.add_url_rule("/technoparks/<slug>/access/thanks", view_func=views.access_thanks)
bp.add_url_rule("/csrf-token", view_func=views.csrf_token)
bp.register_error_handler(CSRFError, views.form_without_token)
bp.register_error_handler(429, views.too_many_requests)

"""Sign-in: the login and logout views, and who the current user is."""

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from . import views
from .loader import configure_login

__all__ = ["bp", "configure_login"]

bp = Blueprint("auth", __name__)
bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.register_error_handler(429, views.too_many_attempts)
bp.register_error_handler(CSRFError, views.form_expired)

"""Sign-in: the login and logout views, who the current user is, and password links."""

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from . import views
from .loader import configure_login

__all__ = ["bp", "configure_login"]

bp = Blueprint("auth", __name__)
bp.add_url_rule("/login", view_func=views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", view_func=views.logout, methods=["POST"])
bp.add_url_rule("/password/forgot", view_func=views.password_forgot, methods=["GET", "POST"])
bp.add_url_rule("/password/set/<token>", view_func=views.password_set, methods=["GET", "POST"])
bp.register_error_handler(429, views.too_many_attempts)
bp.register_error_handler(CSRFError, views.form_expired)

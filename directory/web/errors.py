"""Friendly error pages in the visitor's language, also when the database is unreachable."""

from __future__ import annotations

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import DataError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import BadRequest, HTTPException

from ..domain.text import first_control_character
from ..extensions import db

# Seconds a client is asked to wait when the database is unreachable.
RETRY_AFTER_SECONDS = 30


def render_error(error: HTTPException):
    """The error page for this status, falling back to a generic one; JSON for the API."""
    if answers_in_json():
        code = (error.name or "error").lower().replace(" ", "_")
        body = {"error": {"code": code, "message": error.description or error.name}}
        # A 405 names the methods the address answers (Allow), as HTTP asks.
        headers = [(name, value) for name, value in error.get_headers() if name == "Allow"]
        return jsonify(body), error.code or 500, headers
    template = {404: "errors/404.html", 413: "errors/413.html", 500: "errors/500.html"}.get(
        error.code or 500, "errors/generic.html"
    )
    return render_template(template, error=error), error.code or 500


def answers_in_json() -> bool:
    """Whether this request expects JSON: the API, the health check, the map's data."""
    path = request.path
    return path.startswith("/api/") or path == "/healthz" or path.endswith((".json", ".geojson"))


def forget_the_session() -> None:
    """Drop the failed transaction and the signed-in user loaded in it.

    Pages show the visitor as signed out: reading the account again would need the
    database that just failed.
    """
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.close()
    g._login_user = current_app.login_manager.anonymous_user()


def database_unavailable(error: Exception):
    """503 when the database cannot be reached; the app serves again once it is back."""
    current_app.logger.warning("database unavailable: %s", error)
    forget_the_session()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path == "/healthz":
        return jsonify(status="unavailable"), 503, headers
    if answers_in_json():
        with force_locale("en"):
            message = _("The database is unreachable; try again in a minute.")
        body = {"error": {"code": "database_unavailable", "message": message}}
        return jsonify(body), 503, headers
    return render_template("errors/unavailable.html"), 503, headers


def value_not_storable(error: DataError):
    """400 when the database refuses a value a request carried (a last line of defence)."""
    current_app.logger.warning("value refused by the database: %s", error)
    forget_the_session()
    if answers_in_json():
        message = "The request holds a value the database cannot store."
        return jsonify(error={"code": "bad_value", "message": message}), 400
    return render_error(BadRequest())


def refuse_control_characters_in_paths() -> None:
    """No page's address holds a control character: 404 before any query sees one."""
    if first_control_character(request.path, multiline=False):
        abort(404)


def init_app(app: Flask) -> None:
    """Use our pages for 404 and 500 (and any other HTTP error) and for database failures."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(500, render_error)
    for unreachable in (OperationalError, InterfaceError, PoolTimeoutError):
        app.register_error_handler(unreachable, database_unavailable)
    app.register_error_handler(DataError, value_not_storable)
    app.before_request(refuse_control_characters_in_paths)

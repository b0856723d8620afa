"""Friendly error pages in the visitor's language."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException


def render_error(error: HTTPException):
    """The error page for this status, falling back to a generic one."""
    template = {404: "errors/404.html", 500: "errors/500.html"}.get(
        error.code or 500, "errors/generic.html"
    )
    return render_template(template, error=error), error.code or 500


def init_app(app: Flask) -> None:
    """Use our pages for 404 and 500 (and any other HTTP error)."""
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(500, render_error)

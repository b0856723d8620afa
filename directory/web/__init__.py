"""The web layer: blueprints by audience, and what every response passes through.

public/ (map, list, profiles, news), feedback/ (visitors report mistakes, staff ask for
access), auth/ (sign-in, passwords), manage/ (the coordinators' workspace), api/ (read-only
JSON), opendata/ (downloads, sitemap), vendor/ (Leaflet from its packages); errors, caching,
security headers, the UI language, the template helpers and the emails.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import (
    api,
    auth,
    bodies,
    caching,
    errors,
    feedback,
    i18n,
    manage,
    opendata,
    public,
    security_headers,
    templating,
    vendor,
)


def init_app(app: Flask) -> None:
    """Register the blueprints and the hooks every response passes through."""
    app.request_class = bodies.LimitedRequest
    hops = app.config.get("PROXY_HOPS", 0)
    if hops:
        # Behind nginx the client's address and scheme arrive in headers the proxy sets;
        # the per-address limits count the real client, not the proxy.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    i18n.init_app(app)
    templating.init_app(app)
    blueprints = (public.bp, feedback.bp, auth.bp, manage.bp, vendor.bp, api.bp, opendata.bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    security_headers.init_app(app)
    caching.init_app(app)

"""The technopark directory: a Flask app where parents find children's technoparks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import sqlite  # noqa: F401  (SQLite's engine listeners register on import)
from .config import load_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate

# Templates and static files live beside the package, at the top of the repository.
TOP_LEVEL = "../"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, commands and error pages."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=TOP_LEVEL + "templates",
        static_folder=TOP_LEVEL + "static",
    )
    load_config(app, config)

    from . import (
        api,
        auth,
        caching,
        cli,
        errors,
        i18n,
        manage,
        opendata,
        public,
        security_headers,
        templating,
        text_index,  # noqa: F401  (builds the text search index with the technopark table)
        vendor,
        versioning,  # noqa: F401  (its hook raises the data version on every write)
    )
    from .auth import configure_login

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config["MIGRATIONS_DIR"])
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    configure_login(login_manager)
    limiter.init_app(app)

    i18n.init_app(app)
    templating.init_app(app)
    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(manage.bp)
    app.register_blueprint(vendor.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(opendata.bp)
    errors.init_app(app)
    security_headers.init_app(app)
    caching.init_app(app)
    cli.init_app(app)
    return app

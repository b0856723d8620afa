"""The technopark directory: a Flask app where parents find children's technoparks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import cli, db, mail, web
from .config import load_config
from .domain import map_cells
from .domain.public import PUBLIC_MODELS
from .extensions import babel, csrf, limiter, login_manager, migrate
from .extensions import db as database
from .web.auth import configure_login
from .web.i18n import select_locale
from .web.transactions import transaction_may_write

# Templates and static files live beside the package, at the top of the repository.
TOP_LEVEL = "../"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, the database layer, the web and commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=TOP_LEVEL + "templates",
        static_folder=TOP_LEVEL + "static",
    )
    load_config(app, config)
    database.init_app(app)
    migrate.init_app(app, database, directory=app.config["MIGRATIONS_DIR"])
    db.init_app(app, may_write=transaction_may_write, public_models=PUBLIC_MODELS)
    map_cells.watch(database.session)
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    configure_login(login_manager)
    limiter.init_app(app)
    mail.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app

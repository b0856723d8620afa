"""The database layer: engine setup, the text index and the data version.

Nothing here knows the directory's records or the web: init_app attaches the listeners to
this app's engines and is told what it needs (which transactions may write, which records
are public) by the app factory.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from ..extensions import db
from . import data_version, memo, sqlite


def init_app(app: Flask, may_write: Callable[[], bool], public_models: tuple[type, ...]) -> None:
    """Attach the SQLite setup to the app's engines and the data-version hook to its sessions."""
    with app.app_context():
        for engine in db.engines.values():
            sqlite.attach(engine, may_write)
    data_version.watch(db.session, public_models)
    app.extensions["data_version_cache"] = memo.VersionedCache()

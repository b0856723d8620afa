"""Configuration: defaults, then instance/config.py, then the environment."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

# The secret used when none is configured. Fine for a laptop, fatal in production:
# anyone who knows it can forge session cookies.
DEVELOPMENT_SECRET_KEY = "development-only-secret-change-me"

ENVIRONMENT_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "TILES_URL",
    "TILES_ATTRIBUTION",
    "RATELIMIT_STORAGE_URI",
    "RATELIMIT_KEY_PREFIX",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USE_TLS",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "SITE_URL",
    "PROXY_HOPS",
)
# Environment values that are not text: numbers and a yes or a no.
NUMBER_KEYS = frozenset({"MAIL_PORT", "PROXY_HOPS"})
FLAG_KEYS = frozenset({"MAIL_USE_TLS"})


# Request bodies: a form is a few kilobytes, an imported file may be larger. The proxy in
# front (deploy/nginx.conf.template) is given the same limits.
FORM_MAX_BYTES = 2 * 1024 * 1024
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


class InsecureConfigError(RuntimeError):
    """Raised when the app would start in production with an unsafe setting."""


def default_config(app: Flask) -> dict[str, Any]:
    """The settings every app starts from; later layers override them."""
    return {
        "SECRET_KEY": DEVELOPMENT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///"
        + os.path.join(app.instance_path, "directory.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_TRANSLATION_DIRECTORIES": os.path.join(app.root_path, "translations"),
        "LANGUAGES": ("ru", "en"),
        "LANGUAGE_COOKIE": "lang",
        "TILES_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "TILES_ATTRIBUTION": '&copy; <a href="https://www.openstreetmap.org/copyright">'
        "OpenStreetMap</a> contributors",
        "RATELIMIT_STORAGE_URI": "memory://",
        # A form is a few kilobytes; an imported file may be larger (directory/web/bodies.py).
        "MAX_CONTENT_LENGTH": FORM_MAX_BYTES,
        "UPLOAD_MAX_BYTES": UPLOAD_MAX_BYTES,
        # How many proxies in front set X-Forwarded-For and -Proto (nginx: 1). Left at 0 when
        # clients reach the app directly, or they could choose the address the limits count.
        "PROXY_HOPS": 0,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        # Failed sign-ins allowed before /login answers 429; successes never count.
        "LOGIN_FAILURES_PER_ACCOUNT": "5 per 15 minutes",
        "LOGIN_FAILURES_PER_ADDRESS": "20 per 15 minutes",
        # Outgoing mail (directory/mail): SMTP when MAIL_SERVER is set, else printed to the
        # console. Every message goes through the outbox table first, so none is lost.
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_DEFAULT_SENDER": "Каталог технопарков <noreply@localhost>",
        "MAIL_TIMEOUT": 10,
        # Send after the request in a thread of its own; False sends at once (the tests).
        "MAIL_SEND_IN_BACKGROUND": True,
        # The address links in emails start with, such as https://technoparks.example;
        # unset, links use the address the request came to.
        "SITE_URL": None,
        # How long a link to set a password stays valid (it works once).
        "PASSWORD_LINK_MAX_AGE": timedelta(hours=48),
        # Visitors' reports, access requests and password-reset emails, per IP address.
        "REPORTS_PER_ADDRESS": "10 per hour",
        "ACCESS_REQUESTS_PER_ADDRESS": "5 per hour",
        "PASSWORD_RESETS_PER_ADDRESS": "10 per hour",
        "PASSWORD_RESETS_PER_ACCOUNT": "3 per hour",
        # Only a benchmark server, on a database of synthetic records alone, shows them.
        "SHOW_SYNTHETIC_RECORDS": False,
        # Up to this many markers the map clusters with Leaflet.markercluster (about 1 s).
        "MAP_MARKERCLUSTER_LIMIT": 20_000,
        "SEED_DATA_DIR": os.path.join(os.path.dirname(app.root_path), "seed_data"),
        "MIGRATIONS_DIR": os.path.join(os.path.dirname(app.root_path), "migrations"),
    }


def environment_config(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given as environment variables."""
    found: dict[str, Any] = {key: environ[key] for key in ENVIRONMENT_KEYS if environ.get(key)}
    for key in NUMBER_KEYS & found.keys():
        found[key] = int(found[key])
    for key in FLAG_KEYS & found.keys():
        found[key] = found[key].strip().lower() in ("1", "true", "yes", "on")
    if "DATABASE_URL" in found:
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(found.pop("DATABASE_URL"))
    return found


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver that requirements.txt installs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(app: Flask, config: Mapping[str, Any] | None) -> None:
    """Layer the settings: defaults → instance/config.py → environment → the given dict."""
    # The default SQLite database lives in the instance folder, which a fresh clone lacks.
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(default_config(app))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_mapping(environment_config(os.environ))
    if config is not None:
        if "DATABASE_URL" in config:
            config = {**config, "SQLALCHEMY_DATABASE_URI": config["DATABASE_URL"]}
        app.config.from_mapping(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    # Cookies travel only over HTTPS outside debug and testing, unless a layer said otherwise.
    secure = not (app.debug or app.testing)
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if key not in (config or {}):
            app.config[key] = secure
    if not running_maintenance_command():
        refuse_insecure_production(app)


def running_maintenance_command() -> bool:
    """True for `flask db/seed/users/...`: they sign no cookies, so need no secret.

    `flask run` and gunicorn serve requests and must pass the secret check.
    """
    return os.environ.get("FLASK_RUN_FROM_CLI") == "true" and "run" not in sys.argv[1:]


def refuse_insecure_production(app: Flask) -> None:
    """Outside debug and testing, a development or missing secret stops the start."""
    if app.debug or app.testing:
        return
    secret = app.config.get("SECRET_KEY") or ""
    if secret == DEVELOPMENT_SECRET_KEY or len(secret) < 16:
        raise InsecureConfigError(
            "SECRET_KEY is the development default or shorter than 16 characters. "
            "Set a long random SECRET_KEY in the environment or in instance/config.py "
            "before serving outside debug mode; anyone who knows the default can forge "
            "session cookies. For local work run with --debug (make run does)."
        )


def memory_limits_warning(storage_uri: str | None, workers: int, debug: bool) -> str | None:
    """Why the rate limits would not hold, or None: in-memory counts with several processes.

    Each worker counts on its own, and a worker that is killed or restarted forgets, so the
    sign-in limit could be multiplied or reset by whoever makes workers restart.
    """
    if debug or workers <= 1 or not (storage_uri or "memory://").startswith("memory://"):
        return None
    return (
        f"RATELIMIT_STORAGE_URI is memory:// with {workers} workers: each counts sign-in "
        "failures on its own and forgets them when it restarts. Set "
        "RATELIMIT_STORAGE_URI=redis://host:6379 so the limits hold."
    )

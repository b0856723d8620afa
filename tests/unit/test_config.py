"""Configuration layers and the refusal to serve with a development secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import request

from directory import create_app
from directory.config import DEVELOPMENT_SECRET_KEY, InsecureConfigError, memory_limits_warning


def test_production_refuses_the_development_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    with pytest.raises(InsecureConfigError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_production_refuses_a_short_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    with pytest.raises(InsecureConfigError):
        create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "short"})


def test_production_starts_with_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x" * 40})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_testing_may_use_the_development_secret() -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert app.config["SECRET_KEY"] == DEVELOPMENT_SECRET_KEY
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://someone@db.example/directory")
    monkeypatch.setenv("TILES_URL", "https://tiles.example/{z}/{x}/{y}.png")
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://someone@db.example/directory"
    )
    assert app.config["TILES_URL"] == "https://tiles.example/{z}/{x}/{y}.png"


def test_instance_config_sits_between_defaults_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'TILES_ATTRIBUTION = "from instance"\nTILES_URL = "https://instance.example"\n'
    )
    monkeypatch.setenv("TILES_URL", "https://environment.example")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(instance))
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert app.config["TILES_ATTRIBUTION"] == "from instance"
    assert app.config["TILES_URL"] == "https://environment.example"


def test_default_database_is_sqlite_in_the_instance_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/directory.sqlite")


@pytest.mark.parametrize(
    ("storage", "workers", "debug", "warned"),
    [
        ("memory://", 2, False, True),
        (None, 4, False, True),
        ("memory://", 1, False, False),
        ("memory://", 4, True, False),
        ("redis://127.0.0.1:6379", 4, False, False),
    ],
)
def test_in_memory_limits_with_several_workers_are_warned_about(
    storage: str | None, workers: int, debug: bool, warned: bool
) -> None:
    warning = memory_limits_warning(storage, workers, debug)
    assert (warning is not None) == warned
    if warned:
        assert f"{workers} workers" in warning and "redis://" in warning


def test_behind_a_proxy_the_client_address_comes_from_it() -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "PROXY_HOPS": 1})
    seen: list[str] = []

    @app.get("/address")
    def address() -> str:
        seen.append(f"{request.remote_addr} {request.scheme}")
        return ""

    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    app.test_client().get("/address", headers=headers)
    direct = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    direct.add_url_rule("/address", view_func=address)
    direct.test_client().get("/address", headers=headers)
    assert seen == ["203.0.113.7 https", "127.0.0.1 http"]

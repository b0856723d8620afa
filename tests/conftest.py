"""Fixtures: an app with a fresh database per test, on SQLite or on TEST_DATABASE_URL."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings
from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from directory import create_app
from directory.config import normalise_database_url
from directory.domain.accounts import create_user, grant_technopark
from directory.domain.models import Role, Technopark
from directory.domain.search import refresh_search_text
from directory.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

# In CI the property tests replay the same examples every run, so a submission's result does
# not depend on luck; locally they keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")
REPOSITORY = Path(__file__).resolve().parent.parent
GOOD_PASSWORD = "correct horse battery staple"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


# Figures the hardening tests measure (requests sent, conflicts, rows lost…), printed at the end.
FIGURES: list[str] = []


def record_figure(line: str) -> None:
    """Keep one line of figures for the summary at the end of the run."""
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the recorded figures after the test results."""
    if FIGURES:
        terminalreporter.section("hardening figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def on_postgresql() -> bool:
    """Whether this run uses the PostgreSQL given in TEST_DATABASE_URL."""
    return bool(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def postgresql_schema() -> Iterator[None]:
    """On PostgreSQL, build the schema once per run; tests empty the tables afterwards."""
    if not on_postgresql():
        yield
        return
    app = create_app({"TESTING": True, "DATABASE_URL": TEST_DATABASE_URL})
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def empty_every_table() -> None:
    """Remove every row and restart the ids, so the next test starts clean."""
    names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app(tmp_path: Path, postgresql_schema: None) -> Iterator[Flask]:
    """An app on its own empty database."""
    database_url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
            "WTF_CSRF_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        if not on_postgresql():
            db.create_all()
    yield app
    with app.app_context():
        if on_postgresql():
            empty_every_table()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def seeded_app(app: Flask, runner: FlaskCliRunner) -> Flask:
    """The app with seed_data/ loaded through the real command."""
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def make_technopark(app: Flask) -> Callable[..., Technopark]:
    """Build and commit a technopark; keyword arguments override the defaults."""
    counter = iter(range(1, 1_000_000))

    def make(**overrides: Any) -> Technopark:
        number = next(counter)
        values: dict[str, Any] = {
            "slug": f"technopark-{number}",
            "name": f"Технопарк номер {number}",
            "city": "Москва",
            "published": True,
        }
        values.update(overrides)
        with app.app_context():
            technopark = Technopark(**values)
            refresh_search_text(technopark)
            db.session.add(technopark)
            db.session.commit()
            db.session.refresh(technopark)
            db.session.expunge(technopark)
        return technopark

    return make


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database nobody else uses, on the engine this run tests."""
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        return
    server_url = normalise_database_url(TEST_DATABASE_URL).rsplit("/", 1)[0]
    name = "directory_fresh_" + str(os.getpid())
    engine = create_engine(server_url + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server_url + "/" + name
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; CI must have it, a laptop may skip."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs /usr/bin/chromium for the browser tests")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve the app over HTTP on a free loopback port in a thread, for the browser."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def live_server(seeded_app: Flask) -> Iterator[str]:
    """The seeded app, served for the browser."""
    with served(seeded_app) as url:
        yield url


def csrf_token_in(page: str) -> str:
    """The CSRF token of the first form on a rendered page."""
    match = CSRF_TOKEN.search(page)
    assert match is not None, "the page has no form with a csrf_token"
    return match.group(1)


class AuthActions:
    """Create accounts, sign in and out through the real pages, and read CSRF tokens."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client
        self.signed_in = False
        self.email = "coordinator@example.org"
        self.password = GOOD_PASSWORD

    def create_user(
        self,
        email: str = "coordinator@example.org",
        name: str = "Анна Петрова",
        role: Role = Role.COORDINATOR,
        password: str = GOOD_PASSWORD,
        technoparks: Iterable[str] = (),
    ) -> int:
        """A committed account granted the technoparks with these slugs; returns its id."""
        with self.app.app_context():
            user = create_user(email, name, role, password)
            for slug in technoparks:
                grant_technopark(user, slug)
            db.session.commit()
            self.email, self.password = user.email, password
            return user.id

    def csrf_token(self, client: FlaskClient | None = None) -> str:
        """A valid token for the client's session, read from a rendered form."""
        client = client or self.client
        path = "/manage/password" if self.signed_in else "/login"
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return csrf_token_in(response.get_data(as_text=True))

    def login(
        self,
        email: str | None = None,
        password: str | None = None,
        remember: bool = False,
        next: str | None = None,
        client: FlaskClient | None = None,
    ) -> TestResponse:
        """Post the sign-in form as a browser would, with the token from the page."""
        client = client or self.client
        data = {
            "email": email or self.email,
            "password": password or self.password,
            "csrf_token": csrf_token_in(client.get("/login").get_data(as_text=True)),
        }
        if remember:
            data["remember"] = "y"
        if next is not None:
            data["next"] = next
        response = client.post("/login", data=data)
        if client is self.client and response.status_code == 302:
            self.signed_in = True
        return response

    def logout(self) -> TestResponse:
        response = self.client.post("/logout", data={"csrf_token": self.csrf_token()})
        self.signed_in = False
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        """POST with a valid CSRF token added."""
        return self.client.post(
            path, data={**(data or {}), "csrf_token": self.csrf_token()}, **kwargs
        )


@pytest.fixture
def auth(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> AuthActions:
    # A cheaper scrypt keeps the many sign-ins fast; the hash format stays the same.
    monkeypatch.setattr(
        "directory.domain.models.generate_password_hash",
        lambda password, method="scrypt": generate_password_hash(password, "scrypt:1024:8:1"),
    )
    return AuthActions(app, client)


class FormReader(HTMLParser):
    """What a browser would submit from one form of a page: its inputs, selects, textareas."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.values: dict[str, list[str]] = {}
        self.select: str | None = None
        self.first_option: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("action") == self.action and not self.found:
            self.inside = self.found = True
            return
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                self.values.setdefault(name, [])
                return
            if kind in ("submit", "button"):
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.values.setdefault(name, []).append(attributes.get("value", default))
        elif tag == "select" and name:
            self.select = name
            self.values.setdefault(name, [])
            self.first_option = None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = attributes.get("value", "")
            if "selected" in attributes:
                self.values[self.select].append(attributes.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = [""]

    def handle_data(self, data: str) -> None:
        if self.inside and self.textarea:
            self.values[self.textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self.select:
            # A select with nothing marked sends its first option, as browsers do.
            if not self.values[self.select] and self.first_option is not None:
                self.values[self.select].append(self.first_option)
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop the one newline that follows <textarea>.
            value = self.values[self.textarea][0]
            self.values[self.textarea][0] = value[1:] if value.startswith("\n") else value
            self.textarea = None


def form_data(page: str, action: str) -> dict[str, Any]:
    """The fields of the form posting to `action`, as a browser would send them unchanged."""
    reader = FormReader(action)
    reader.feed(page)
    assert reader.found, f"no form posts to {action}"
    return {
        name: values[0] if len(values) == 1 else values for name, values in reader.values.items()
    }

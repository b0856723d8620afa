"""Faults: the database goes away and comes back; bad bytes reach forms, paths and queries."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import TEST_DATABASE_URL, AuthActions, form_data, on_postgresql
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from directory import create_app
from directory.config import normalise_database_url
from directory.domain.models import Technopark, User
from directory.extensions import db

RUSSIAN_OUTAGE = "Справочник временно недоступен"
ENGLISH_OUTAGE = "The directory is briefly unavailable"


class TcpProxy:
    """A TCP relay on a loopback port that can be cut and restored, like a network outage."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener: socket.socket | None = None
        self.running = threading.Event()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self.listener = listener
        self.running.set()
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener: socket.socket) -> None:
        while self.running.is_set():
            try:
                client, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, target), daemon=True).start()

    @staticmethod
    def pump(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for end in (source, target):
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a database host going down."""
        self.running.clear()
        if self.listener is not None:
            self.listener.close()
        with self.lock:
            for end in self.sockets:
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
            self.sockets.clear()


@dataclass
class Outage:
    """An app whose database can be taken away and given back."""

    app: Flask
    cut: Callable[[], None]
    restore: Callable[[], None]


def prepare(app: Flask) -> None:
    with app.app_context():
        db.session.add(
            Technopark(slug="kvantorium-outage", name="Кванториум", city="Тула", published=True)
        )
        db.session.commit()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def outage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Outage]:
    if request.param == "sqlite":
        folder = tmp_path / "database"
        folder.mkdir()
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-that-is-long-enough",
                "DATABASE_URL": f"sqlite:///{folder / 'directory.sqlite'}",
                # A fresh connection per request, so a missing file is noticed at once.
                "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool},
            }
        )
        with app.app_context():
            db.create_all()
        prepare(app)
        yield Outage(
            app,
            cut=lambda: folder.rename(tmp_path / "moved-away"),
            restore=lambda: (tmp_path / "moved-away").rename(folder),
        )
        return
    if not on_postgresql():
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    request.getfixturevalue("app")  # the schema, emptied again after the test
    url = make_url(normalise_database_url(TEST_DATABASE_URL))
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough",
            "DATABASE_URL": url.set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False
            ),
        }
    )
    prepare(app)
    try:
        yield Outage(app, cut=proxy.stop, restore=proxy.start)
    finally:
        with app.app_context():
            db.engine.dispose()
        proxy.stop()


def test_pages_answer_503_while_the_database_is_away_and_recover(
    outage: Outage, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = outage.app
    visitor, english, coordinator = app.test_client(), app.test_client(), app.test_client()
    english.get("/?lang=en")
    AuthActions(app, coordinator).create_user(technoparks=["kvantorium-outage"])
    assert AuthActions(app, coordinator).login().status_code == 302
    assert visitor.get("/healthz").get_json() == {"status": "ok"}

    outage.cut()
    try:
        health = visitor.get("/healthz")
        assert (health.status_code, health.get_json()) == (503, {"status": "unavailable"})
        page = visitor.get("/")
        assert page.status_code == 503
        assert RUSSIAN_OUTAGE in page.get_data(as_text=True)
        assert page.headers["Retry-After"] == "30"
        assert page.headers["Content-Security-Policy"]
        assert visitor.get("/technoparks/kvantorium-outage").status_code == 503
        assert ENGLISH_OUTAGE in english.get("/news").get_data(as_text=True)
        markers = visitor.get("/map/markers.json")
        assert markers.status_code == 503
        assert markers.get_json()["error"]["code"] == "database_unavailable"
        workspace = coordinator.get("/manage/")
        assert workspace.status_code == 503
        assert RUSSIAN_OUTAGE in workspace.get_data(as_text=True)
        signing_in = visitor.post("/login", data={"email": "a@example.org", "password": "x"})
        assert signing_in.status_code in (400, 503)  # no CSRF token: refused either way
    finally:
        outage.restore()

    assert visitor.get("/healthz").get_json() == {"status": "ok"}
    assert "Кванториум" in visitor.get("/").get_data(as_text=True)
    assert coordinator.get("/manage/").status_code == 200


# ---------------------------------------------------------------- bad bytes


@pytest.mark.parametrize(
    "path",
    [
        "/technoparks/kvantorium%00",
        "/organizations/%00",
        "/programs/a%01b",
        "/manage/technoparks/%00/edit",
        "/news%00",
    ],
)
def test_control_characters_in_an_address_are_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("slug", ["\x00", "kvantorium\x00", "'; DROP TABLE technopark; --"])
def test_map_data_for_an_impossible_slug_is_never_a_500(
    client: FlaskClient, make_technopark: Callable[..., Technopark], slug: str
) -> None:
    make_technopark(latitude=55.7, longitude=37.6)
    response = client.get("/map/markers.json", query_string={"slug": slug})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.get_json()["error"]["code"] == "bad_value"
    else:
        assert response.get_json()["rows"] == []
    assert len(client.get("/map/markers.json").get_json()["rows"]) == 1


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_a_form_is_refused_naming_the_field(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    make_technopark: Callable[..., Technopark],
    character: str,
) -> None:
    make_technopark(slug="kvantorium-nul", name="Кванториум", city="Тула")
    auth.create_user(technoparks=["kvantorium-nul"])
    auth.login()
    edit = "/manage/technoparks/kvantorium-nul/edit"
    data = form_data(client.get(edit).get_data(as_text=True), edit)
    response = client.post(edit, data={**data, "address": f"ул. Ленина{character}, 1"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    code = f"U+{ord(character):04X}"
    error = f'id="address-error"><li>Удалите невидимый управляющий символ {code} из этого текста'
    assert error in page
    with app.app_context():
        assert db.session.execute(select(Technopark.address)).scalar_one() is None


def test_a_nul_in_the_sign_in_form_is_a_form_error(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create_user()
    response = auth.login(email="coordinator@example.org\x00")
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)
    new_account = auth.login(password=auth.password + "\x00")
    assert new_account.status_code == 200
    with app.app_context():
        assert db.session.execute(select(User.email)).scalars().all() == [auth.email]


def test_a_control_character_beside_a_cross_field_error_is_a_form_error(
    client: FlaskClient, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> None:
    """Found by the form fuzzer: the refusal must leave room for the form's own rules."""
    make_technopark(slug="kvantorium-both", name="Кванториум", city="Тула")
    auth.create_user(technoparks=["kvantorium-both"])
    auth.login()
    edit = "/manage/technoparks/kvantorium-both/edit"
    data = form_data(client.get(edit).get_data(as_text=True), edit)
    changes = {"name": "Кванто\x00риум", "latitude": "55.7", "opening_date_precision": "day"}
    response = client.post(edit, data={**data, **changes})
    assert response.status_code == 200
    assert 'id="name-error"' in response.get_data(as_text=True)


def test_a_refused_address_under_the_api_answers_in_json(client: FlaskClient) -> None:
    response = client.get("/api/technoparks/%00")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"

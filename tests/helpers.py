"""What tests share besides fixtures: sign-in steps, form reading, a served app, figures."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import re
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.test import TestResponse

from directory.data.seed import TECHNOPARK_FILES, read_all
from directory.domain.accounts import create_user, grant_technopark
from directory.domain.models import Role
from directory.extensions import db

# With several pytest-xdist workers, each has a PostgreSQL database of its own.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
if TEST_DATABASE_URL and WORKER:
    TEST_DATABASE_URL = f"{TEST_DATABASE_URL}_{WORKER}"
REPOSITORY = Path(__file__).resolve().parent.parent
GOOD_PASSWORD = "correct horse battery staple"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

# Figures the hardening tests measure (requests sent, conflicts, rows lost…): recorded by a
# test, carried on its report (also from an xdist worker) and printed after the run.
PENDING_FIGURES: list[str] = []
FIGURES: list[str] = []


def record_figure(line: str) -> None:
    """Keep one line of figures for the summary at the end of the run."""
    PENDING_FIGURES.append(line)


def on_postgresql() -> bool:
    """Whether this run uses the PostgreSQL given in TEST_DATABASE_URL."""
    return bool(TEST_DATABASE_URL)


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """Serve the app over HTTP on a free loopback port in a thread, for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


# ---------------------------------------------------------------- a real SMTP server


@dataclass
class Received:
    """One email as the SMTP server received it."""

    sender: str
    recipients: list[str]
    subject: str
    body: str


class Mailbox:
    """An aiosmtpd handler that keeps every email it receives, and can hold them back."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.port = 0
        self.open = threading.Event()
        self.open.set()
        # Addresses the server refuses, as a server refuses an unknown mailbox.
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # A held mailbox answers only when released: a server that hangs.
        await asyncio.get_running_loop().run_in_executor(None, self.open.wait)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(
            Received(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                # A long subject is folded after "Subject:"; clients drop that blank.
                subject=str(message["Subject"]).strip(),
                # Lines travel with CR LF; the text as written has LF.
                body=message.get_content().replace("\r\n", "\n"),
            )
        )
        return "250 Message accepted for delivery"

    def hold(self) -> None:
        self.open.clear()

    def release(self) -> None:
        self.open.set()

    def clear(self) -> None:
        self.received.clear()
        self.refused.clear()
        self.release()

    def to(self, address: str) -> list[Received]:
        """The emails received for this address, oldest first."""
        return [message for message in self.received if address in message.recipients]


def free_port() -> int:
    """A loopback port nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server_on_loopback() -> Iterator[Mailbox]:
    """Run aiosmtpd on a free loopback port in a thread while the block runs."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    mailbox.port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        mailbox.release()
        controller.stop()


def link_in(text: str, path: str) -> str:
    """The first link in an email's text whose path starts with the given one."""
    match = re.search(r"https?://[^\s/]+(" + re.escape(path) + r"[^\s]*)", text)
    assert match is not None, f"no link to {path} in: {text}"
    return match.group(1)


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
            # Browsers drop the one newline (CR LF read as one) that follows <textarea>.
            value = self.values[self.textarea][0]
            for newline in ("\r\n", "\n"):
                if value.startswith(newline):
                    value = value[len(newline) :]
                    break
            self.values[self.textarea][0] = value
            self.textarea = None


def form_data(page: str, action: str) -> dict[str, Any]:
    """The fields of the form posting to `action`, as a browser would send them unchanged."""
    reader = FormReader(action)
    reader.feed(page)
    assert reader.found, f"no form posts to {action}"
    return {
        name: values[0] if len(values) == 1 else values for name, values in reader.values.items()
    }


def seeded_technoparks(app: Flask, *, published_only: bool) -> int:
    """How many technoparks the seed files hold, or only the published; new files add to it."""
    records = read_all(Path(app.config["SEED_DATA_DIR"]), TECHNOPARK_FILES, "technopark", "slug")
    return sum(1 for record in records if record.get("published", True) or not published_only)

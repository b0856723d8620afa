"""In Chromium: no page breaks its Content-Security-Policy, and payloads show as typed.

Every public and workspace page is loaded (and a form sent back with errors); any CSP
violation, page error or console error fails the test. Then the injection payloads, stored in
every text field, are looked at as a person sees them: no dialog opens, nothing is logged as
an error, and the text on screen (innerText, input values, map popups) equals what was typed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from helpers import GOOD_PASSWORD, AuthActions, record_figure, served
from payloads import PAYLOADS, REFUSED_EVERYWHERE
from sqlalchemy import select

from directory.domain import operations
from directory.domain.models import (
    AccessRequest,
    CorrectionReport,
    NewsArticle,
    Organization,
    Program,
    Role,
    Technopark,
    User,
)
from directory.extensions import db

pytestmark = pytest.mark.browser

TILE_HOST = "tile.openstreetmap.org"
# The smallest valid PNG, served in place of map tiles: the test machine has no internet.
BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
# Report CSP violations from every frame, with what was blocked, as console errors.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Watch:
    """What the pages did: console errors, page errors, dialogs, requests leaving the machine."""

    def __init__(self) -> None:
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []

    def problems(self) -> list[str]:
        return self.console + self.errors + [f"dialog: {text}" for text in self.dialogs]

    def clear(self) -> None:
        self.console.clear()
        self.errors.clear()
        self.dialogs.clear()


@pytest.fixture
def watched(browser: Any) -> Iterator[tuple[Any, Watch]]:
    """A Chromium page whose errors, dialogs and off-site requests are recorded."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_VIOLATIONS)
    watch = Watch()

    def route(request_route: Any) -> None:
        host = urlsplit(request_route.request.url).hostname or ""
        if host == "127.0.0.1":
            request_route.continue_()
        elif host == TILE_HOST:
            request_route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            watch.outside.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            watch.console.append(f"{page.url}: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: watch.errors.append(f"{page.url}: {error}"))

    def dismiss(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page, watch
    context.close()
    assert watch.outside == [], "requests left 127.0.0.1 besides map tiles"


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(GOOD_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(base + "/manage/")


def settle(page: Any) -> None:
    """Wait until the page and its map (if any) have finished loading."""
    page.wait_for_load_state("load")
    for frame in page.frames:
        if "/map" in frame.url:
            # A selector, not a function: the map's CSP forbids the eval Playwright would use.
            frame.wait_for_selector("body[data-markers]", state="attached", timeout=15000)
    page.wait_for_timeout(50)


# ---------------------------------------------------------------- CSP on every page


def test_no_page_violates_the_content_security_policy(
    seeded_app: Flask, auth: AuthActions, watched: tuple[Any, Watch]
) -> None:
    app, (page, watch) = seeded_app, watched
    auth.create_user(email="admin@example.org", name="Ирина Админова", role=Role.ADMIN)
    with app.app_context():
        placed = db.session.execute(
            select(Technopark).where(Technopark.latitude.is_not(None)).limit(1)
        ).scalar_one()
        unplaced = db.session.execute(
            select(Technopark).where(Technopark.latitude.is_(None)).limit(1)
        ).scalar_one()
        programme = db.session.execute(select(Program.slug).limit(1)).scalar_one()
        host = db.session.execute(select(Organization.slug).limit(1)).scalar_one()
        article = db.session.execute(select(NewsArticle.id).limit(1)).scalar_one()
        slug, other = placed.slug, unplaced.slug
        # A visitor's report and a request for access, so the workspace shows its queues.
        db.session.add(CorrectionReport(technopark=placed, field="phone", suggested_value="+7 1"))
        db.session.add(
            AccessRequest(
                technopark=placed, name="Ольга", position="методист", email="olga@example.org"
            )
        )
        db.session.commit()
    public = [
        "/",
        "/?lang=en",
        f"/technoparks/{slug}",
        f"/technoparks/{other}",
        "/news",
        f"/programs/{programme}",
        f"/organizations/{host}",
        "/map",
        f"/map?slug={slug}",
        "/login",
        f"/technoparks/{slug}/report",
        f"/technoparks/{slug}/report/thanks",
        f"/technoparks/{slug}/access",
        f"/technoparks/{slug}/access/thanks",
        "/password/forgot",
        "/password/set/no-such-link",
    ]
    workspace = [
        "/manage/",
        "/manage/technoparks/new",
        f"/manage/technoparks/{slug}/edit",
        f"/manage/technoparks/{slug}/history",
        "/manage/news/new",
        f"/manage/news/{article}/edit",
        "/manage/users",
        "/manage/users/new",
        "/manage/password",
        "/manage/access-requests",
    ]
    loaded = 0
    with served(app) as base:
        for path in public:
            page.goto(base + path)
            settle(page)
            loaded += 1
        response = page.goto(base + "/no-such-page")
        assert response.status == 404
        # The browser reports the 404 (and the spent link's 410) itself; nothing else may be
        # logged.
        watch.console = [line for line in watch.console if "404" not in line and "410" not in line]
        sign_in(page, base, "admin@example.org")
        for path in workspace:
            page.goto(base + path)
            settle(page)
            loaded += 1
        # A form sent back with errors renders its messages without breaking the policy.
        page.goto(base + f"/manage/technoparks/{slug}/edit")
        page.locator("#age_min").fill("40")
        page.locator("form.technopark-form button.button-primary").click()
        page.wait_for_selector("#age_min-error")
        settle(page)
        loaded += 2
    assert watch.problems() == []
    record_figure(f"CSP in Chromium: {loaded} page loads, 0 violations, 0 console errors")


# ---------------------------------------------------------------- payloads in the browser

BROWSER_PAYLOADS = [name for name in PAYLOADS if name not in REFUSED_EVERYWHERE]


# Column lengths: the forms refuse longer text; these records are written directly.
LENGTHS = {"name": 300, "city": 120, "network": 120, "address": 500, "title": 500}
LENGTHS.update({"outlet": 200, "user": 200, "description": 5000, "summary": 2000})
# The history's table cuts a longer value and links to the whole text.
HISTORY_SHOWN = 300


def shown(payload: str, field: str) -> str:
    """The value stored in a field for a payload, cut to the column's length."""
    value = f"~{payload}.{field}~{PAYLOADS[payload]}"
    # A form strips the blanks around a text, so a value cut to its column has none either.
    return value[: LENGTHS.get(field, len(value))].rstrip()


@pytest.fixture
def hostile_records(app: Flask, auth: AuthActions) -> dict[str, str]:
    """A technopark, a news article and an account per payload, every text field hostile."""
    auth.create_user(email="admin@example.org", name="Ирина Админова", role=Role.ADMIN)
    slugs = {}
    with app.app_context():
        admin = db.session.execute(select(User)).scalar_one()
        for number, payload in enumerate(BROWSER_PAYLOADS):
            technopark = Technopark(
                slug=f"hostile-{number}",
                name=shown(payload, "name"),
                network=shown(payload, "network"),
                city=shown(payload, "city"),
                latitude=55.70 + number / 100,
                longitude=37.60,
                location_precision="building",
                published=True,
            )
            db.session.add(technopark)
            db.session.flush()
            operations.update_technopark(
                technopark,
                {
                    "description": shown(payload, "description"),
                    "address": shown(payload, "address"),
                },
                admin,
            )
            operations.add_news_article(
                {
                    "url": f"https://example.org/news/{number}",
                    "title": shown(payload, "title"),
                    "outlet": shown(payload, "outlet"),
                    "summary": shown(payload, "summary"),
                    "language": "ru",
                },
                [technopark],
                admin,
            )
            db.session.add(
                User(
                    email=f"user{number}@example.org",
                    name=shown(payload, "user"),
                    password_hash=admin.password_hash,
                )
            )
            slugs[payload] = technopark.slug
        db.session.commit()
    return slugs


def inner_texts(page: Any, selector: str) -> list[str]:
    return page.locator(selector).evaluate_all("nodes => nodes.map(node => node.innerText)")


def test_payloads_show_as_typed_in_chromium(
    app: Flask, hostile_records: dict[str, str], watched: tuple[Any, Watch]
) -> None:
    page, watch = watched
    checked = 0
    with served(app) as base:
        page.goto(base + "/")
        settle(page)
        cards = inner_texts(page, ".technopark-card h3")
        page.goto(base + "/news")
        titles = inner_texts(page, ".news-title")
        summaries = inner_texts(page, ".news-item > p:not(.covers)")
        for payload in BROWSER_PAYLOADS:
            assert shown(payload, "name") in cards, payload
            assert shown(payload, "title") in titles, payload
            assert shown(payload, "summary") in summaries, payload
            checked += 3
        sign_in(page, base, "admin@example.org")
        users = inner_texts(page.goto(base + "/manage/users") and page, ".user-item h2")
        dashboard = None
        for payload, slug in hostile_records.items():
            assert shown(payload, "user") in users, payload
            page.goto(base + f"/technoparks/{slug}")
            settle(page)
            assert page.locator("article.profile h1").inner_text() == shown(payload, "name")
            assert page.locator("p.description").inner_text() == shown(payload, "description")
            page.goto(base + f"/manage/technoparks/{slug}/edit")
            settle(page)
            assert page.locator("#name").input_value() == shown(payload, "name")
            assert page.locator("#description").input_value() == shown(payload, "description")
            assert page.locator("#address").input_value() == shown(payload, "address")
            page.goto(base + f"/manage/technoparks/{slug}/history")
            after = inner_texts(page, ".history-field-description td:last-child")
            description = shown(payload, "description")
            if len(description) <= HISTORY_SHOWN:
                assert after == [description], payload
            else:
                assert after[0].startswith(description[:HISTORY_SHOWN]), payload
                page.locator(".history-field-description td:last-child a").click()
                assert page.locator(".full-text").last.text_content() == description, payload
            page.goto(base + f"/map?slug={slug}")
            settle(page)
            page.locator(".leaflet-marker-icon").click()
            popup = page.locator(".directory-popup-name").inner_text()
            assert popup == shown(payload, "name"), payload
            checked += 8
        dashboard = inner_texts(page.goto(base + "/manage/") and page, ".workspace-item h3")
        for payload in BROWSER_PAYLOADS:
            assert shown(payload, "name") in dashboard, payload
            checked += 1
    assert watch.problems() == []
    record_figure(
        f"injection (Chromium): {len(BROWSER_PAYLOADS)} payloads, {checked} texts compared with "
        "what was typed (innerText, input values, map popups): all equal; 0 dialogs, "
        "0 console errors"
    )

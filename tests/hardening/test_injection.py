"""Injection regression suite: every payload typed into every text field through the forms.

Each payload goes into each text field of a technopark, of a news article, into a user's
name, and into what visitors type (a report of a mistake, a request for access), by real
form posts with CSRF tokens. Then every page that shows those records, the
map data and (once the API exists) the API are checked: the value is shown exactly as typed,
escaped once, never evaluated, and no markup or script of it runs. Values a field's rules
refuse (a control character, too long, not a web address…) get a form error naming the
field, echo the typed value safely, and store nothing. The counts are printed at the end.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import GOOD_PASSWORD, AuthActions, csrf_token_in, form_data, record_figure
from payloads import PAYLOADS, REFUSED_EVERYWHERE, check_html, check_json, typed
from sqlalchemy import select

from directory.domain.models import NewsArticle, Organization, Program, Role, Technopark, User
from directory.extensions import db

SLUG = "kvantorium-injection"
EDIT = f"/manage/technoparks/{SLUG}/edit"
HISTORY = f"/manage/technoparks/{SLUG}/history"

# Free-text fields and their length limits (None: unlimited).
TECHNOPARK_TEXT = {
    "name": 300,
    "network": 120,
    "city": 120,
    "district": 120,
    "address": 500,
    "location_note": 1000,
    "description": 5000,
    "sources": 5000,
}
# Fields whose rules refuse every payload: they take only addresses, numbers and dates.
TECHNOPARK_CHECKED = ("website", "phone", "email", "opening_date")
NEWS_TEXT = {"title": 500, "outlet": 200, "summary": 2000}
USER_TEXT = {"name": 200}
# What visitors type: a report of a mistake, a request for access.
REPORT_TEXT = {"correction": 2000}
ACCESS_TEXT = {"name": 200, "position": 200, "message": 2000}

# Which technopark fields each page must show (the others are still checked on it).
TECHNOPARK_PAGES: dict[str, tuple[str, ...]] = {
    "/": ("name", "city"),
    f"/technoparks/{SLUG}": tuple(TECHNOPARK_TEXT),
    "/news": ("name",),
    "/programs/injection-programme": ("name", "city"),
    "/organizations/injection-host": ("name", "city"),
    "/manage/": ("name", "city"),
    EDIT: tuple(TECHNOPARK_TEXT),
    HISTORY: tuple(TECHNOPARK_TEXT),
    "/map/markers.json": ("name", "city"),
}
API_TECHNOPARK_PAGES: dict[str, tuple[str, ...]] = {
    "/api/technoparks": ("name", "city"),
    f"/api/technoparks/{SLUG}": ("name", "city"),
    "/api/technoparks.geojson": ("name",),
    "/api/news": (),
}
NEWS_PAGES: dict[str, tuple[str, ...]] = {
    "/news": tuple(NEWS_TEXT),
    f"/technoparks/{SLUG}": tuple(NEWS_TEXT),
    EDIT: ("title", "outlet"),
}
API_NEWS_PAGES: dict[str, tuple[str, ...]] = {
    "/api/news": ("title",),
    f"/api/technoparks/{SLUG}": ("title",),
}


class Tally:
    """What the suite tried: (payload, field, page) checks, values shown, refusals."""

    def __init__(self) -> None:
        self.checks: set[tuple[str, str, str]] = set()
        self.shown = 0
        self.refused = 0
        self.posts = 0
        self.pages = Counter()


TALLIES: dict[str, Tally] = {}


def accepts(payload: str, limit: int | None) -> bool:
    """Whether a free-text field of this length limit stores the payload."""
    if payload in REFUSED_EVERYWHERE:
        return False
    return limit is None or len(typed(payload, "x" * 20)) <= limit


def check_page(
    client: FlaskClient,
    path: str,
    values: dict[str, str],
    shown: Iterable[str],
    payload: str,
    tally: Tally,
) -> None:
    """Fetch a page and check every stored value on it; record what was checked."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    shown_values = [values[field] for field in shown if field in values]
    if response.is_json:
        problems = check_json(response.get_json(), values.values(), shown_values)
    else:
        problems = check_html(response.get_data(as_text=True), values.values(), shown_values)
    assert problems == [], (payload, path, problems)
    tally.pages[path] += 1
    tally.shown += len(shown_values)
    for field in values:
        tally.checks.add((payload, field, path))


def post_form(client: FlaskClient, path: str, changes: dict[str, str], tally: Tally) -> Any:
    """Open the form, change some fields, and post it back with its CSRF token."""
    data = form_data(client.get(path).get_data(as_text=True), path)
    tally.posts += 1
    return client.post(path, data={**data, **changes})


def assert_refused(response: Any, field: str, value: str, payload: str, tally: Tally) -> None:
    """A refused value: the form again, an error on the field, the value echoed safely."""
    assert response.status_code == 200, (payload, field, response.status_code)
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page, (payload, field)
    assert check_html(page, [value], [value]) == [], (payload, field)
    tally.refused += 1
    tally.checks.add((payload, field, "form error"))


@pytest.fixture
def admin(
    app: Flask, client: FlaskClient, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> AuthActions:
    """An administrator, and a published technopark with a host, programme, map point and news."""
    with app.app_context():
        host = Organization(slug="injection-host", name="Технополис «Москва»")
        programme = Program(slug="injection-programme", name="Новая модель")
        db.session.add_all([host, programme])
        db.session.commit()
        host_id, programme_id = host.id, programme.id
    make_technopark(
        slug=SLUG,
        name="Кванториум",
        city="Москва",
        host_organization_id=host_id,
        program_id=programme_id,
        latitude=55.7101,
        longitude=37.7183,
    )
    auth.create_user(email="admin@example.org", name="Ирина", role=Role.ADMIN)
    assert auth.login().status_code == 302
    response = auth.post(
        "/manage/news/new",
        {
            "url": "https://example.org/news/injection",
            "title": "Открытие",
            "language": "ru",
            "technoparks": [SLUG],
        },
    )
    assert response.status_code == 302
    return auth


def stored_technopark(app: Flask) -> Technopark:
    with app.app_context():
        technopark = db.session.execute(
            select(Technopark).where(Technopark.slug == SLUG)
        ).scalar_one()
        db.session.expunge(technopark)
        return technopark


def api_present(app: Flask) -> bool:
    return "api" in app.blueprints


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_technopark_fields(
    app: Flask, client: FlaskClient, admin: AuthActions, payload: str
) -> None:
    tally = TALLIES.setdefault("technopark", Tally())
    accepted = {
        f: typed(payload, f) for f, limit in TECHNOPARK_TEXT.items() if accepts(payload, limit)
    }
    refused = {f: typed(payload, f) for f in TECHNOPARK_TEXT if f not in accepted}
    refused.update({f: typed(payload, f) for f in TECHNOPARK_CHECKED})
    before = stored_technopark(app)

    for field, value in refused.items():
        assert_refused(post_form(client, EDIT, {field: value}, tally), field, value, payload, tally)
    after_refusals = stored_technopark(app)
    assert after_refusals.version == before.version, "a refused value was stored"

    if accepted:
        response = post_form(client, EDIT, accepted, tally)
        assert response.status_code == 302, (payload, response.get_data(as_text=True)[:2000])
        technopark = stored_technopark(app)
        assert {f: getattr(technopark, f) for f in accepted} == accepted
        pages = dict(TECHNOPARK_PAGES)
        if api_present(app):
            pages.update(API_TECHNOPARK_PAGES)
        for path, shown in pages.items():
            check_page(client, path, accepted, shown, payload, tally)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_news_fields(app: Flask, client: FlaskClient, admin: AuthActions, payload: str) -> None:
    tally = TALLIES.setdefault("news", Tally())
    with app.app_context():
        article_id = db.session.execute(select(NewsArticle.id)).scalar_one()
    path = f"/manage/news/{article_id}/edit"
    accepted = {f: typed(payload, f) for f, limit in NEWS_TEXT.items() if accepts(payload, limit)}
    refused = {f: typed(payload, f) for f in NEWS_TEXT if f not in accepted}
    for field, value in refused.items():
        assert_refused(post_form(client, path, {field: value}, tally), field, value, payload, tally)
    if accepted:
        response = post_form(client, path, accepted, tally)
        assert response.status_code == 302, payload
        with app.app_context():
            article = db.session.get(NewsArticle, article_id)
            assert {f: getattr(article, f) for f in accepted} == accepted
        pages = {**NEWS_PAGES, path: tuple(NEWS_TEXT)}
        if api_present(app):
            pages.update(API_NEWS_PAGES)
        for page, shown in pages.items():
            check_page(client, page, accepted, shown, payload, tally)
    else:
        with app.app_context():
            assert db.session.get(NewsArticle, article_id).title == "Открытие"


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_user_name(app: Flask, client: FlaskClient, admin: AuthActions, payload: str) -> None:
    tally = TALLIES.setdefault("user", Tally())
    name = typed(payload, "name")
    email = "new.coordinator@example.org"
    response = post_form(
        client,
        "/manage/users/new",
        {"email": email, "name": name, "password": GOOD_PASSWORD},
        tally,
    )
    if not accepts(payload, USER_TEXT["name"]):
        assert_refused(response, "name", name, payload, tally)
        with app.app_context():
            assert db.session.execute(select(User).where(User.email == email)).first() is None
        return
    assert response.status_code == 302, payload
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        assert user.name == name
        user_id = user.id
    # The administrator grants the technopark; the new coordinator signs in and edits it.
    granting = client.post(
        f"/manage/users/{user_id}/grant",
        data={"technopark": SLUG, "csrf_token": admin.csrf_token()},
    )
    assert granting.status_code == 302
    values = {"name": name}
    check_page(client, "/manage/users", values, ["name"], payload, tally)
    coordinator = app.test_client()
    AuthActions(app, coordinator).login(email=email, password=GOOD_PASSWORD)
    check_page(coordinator, "/manage/", values, ["name"], payload, tally)
    edit = post_form(coordinator, EDIT, {"description": "Правка нового координатора"}, tally)
    assert edit.status_code == 302
    check_page(client, HISTORY, values, ["name"], payload, tally)


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_visitors_reports_and_requests_for_access(
    app: Flask, client: FlaskClient, admin: AuthActions, payload: str
) -> None:
    """What a visitor types reaches the workspace as typed; what the rules refuse is not kept."""
    tally = TALLIES.setdefault("feedback", Tally())
    visitor = app.test_client()
    correction = typed(payload, "correction")
    response = post_form(
        visitor,
        f"/technoparks/{SLUG}/report",
        {"field": "other", "correction": correction},
        tally,
    )
    if accepts(payload, REPORT_TEXT["correction"]):
        assert response.status_code == 302, payload
        values = {"correction": correction}
        check_page(client, "/manage/", values, ["correction"], payload, tally)
    else:
        assert_refused(response, "correction", correction, payload, tally)

    path = f"/technoparks/{SLUG}/access"
    fine = {"name": "Ольга", "position": "методист", "email": "olga@example.org", "message": ""}
    accepted = {f: typed(payload, f) for f, limit in ACCESS_TEXT.items() if accepts(payload, limit)}
    for field in ACCESS_TEXT.keys() - accepted.keys():
        value = typed(payload, field)
        refused = post_form(visitor, path, {**fine, field: value}, tally)
        assert_refused(refused, field, value, payload, tally)
    if accepted:
        assert post_form(visitor, path, {**fine, **accepted}, tally).status_code == 302
        check_page(client, "/manage/access-requests", accepted, accepted, payload, tally)


@pytest.fixture(scope="module", autouse=True)
def report_figures() -> Any:
    """After the suite: payloads × fields × pages checked, values seen, values refused."""
    yield
    if not TALLIES:
        return
    checks = sum(len(tally.checks) for tally in TALLIES.values())
    shown = sum(tally.shown for tally in TALLIES.values())
    refused = sum(tally.refused for tally in TALLIES.values())
    posts = sum(tally.posts for tally in TALLIES.values())
    pages = sorted({page for tally in TALLIES.values() for page in tally.pages})
    fields = (
        len(TECHNOPARK_TEXT)
        + len(TECHNOPARK_CHECKED)
        + len(NEWS_TEXT)
        + len(USER_TEXT)
        + len(REPORT_TEXT)
        + len(ACCESS_TEXT)
    )
    record_figure(
        f"injection (server): {len(PAYLOADS)} payloads × {fields} fields × {len(pages)} pages "
        f"and form errors = {checks} (payload, field, page) checks; {shown} values found shown "
        f"exactly as typed; {refused} refused with a form error; {posts} form posts"
    )


def test_csrf_tokens_come_from_the_forms(client: FlaskClient, admin: AuthActions) -> None:
    """The suite posts like a browser: a post without the page's token is refused."""
    page = client.get(EDIT).get_data(as_text=True)
    data = form_data(page, EDIT)
    assert data["csrf_token"] == csrf_token_in(page)
    response = client.post(EDIT, data={**data, "csrf_token": "forged", "name": "Подделка"})
    assert response.status_code == 400

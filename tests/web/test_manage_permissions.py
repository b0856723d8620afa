"""Every workspace endpoint refuses visitors and coordinators who may not use it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, csrf_token_in
from sqlalchemy import func, select

from directory import create_app
from directory.domain.models import (
    AccessRequest,
    AuditEntry,
    CorrectionReport,
    NewsArticle,
    Role,
    Technopark,
    User,
)
from directory.extensions import db

# Pages any signed-in account may open: they show or create only the user's own things.
OPEN_TO_EVERY_ACCOUNT = {
    "manage.index",
    "manage.technopark_new",
    "manage.news_new",
    "manage.password_change",
}


def manage_routes() -> list[tuple[str, str]]:
    """(endpoint, method) for every GET and POST the workspace answers."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("manage.")
        for method in sorted(rule.methods & {"GET", "POST"})
    )


MANAGE_ROUTES = manage_routes()
RESTRICTED_ROUTES = [route for route in MANAGE_ROUTES if route[0] not in OPEN_TO_EVERY_ACCOUNT]


def route_ids(routes: list[tuple[str, str]]) -> list[str]:
    return [f"{method} {endpoint}" for endpoint, method in routes]


@pytest.fixture
def world(
    app: Flask, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> dict[str, int | str]:
    """Two coordinators with a technopark each, an admin, and a news article, a visitor's
    report and a request for access about the other's."""
    make_technopark(slug="mine", name="Мой технопарк")
    make_technopark(slug="theirs", name="Чужой технопарк", published=False)
    other = auth.create_user(email="other@example.org", name="Борис", technoparks=["theirs"])
    auth.create_user(email="admin@example.org", name="Админ", role=Role.ADMIN)
    auth.create_user(email="anna@example.org", name="Анна", technoparks=["mine"])
    with app.app_context():
        theirs = db.session.execute(select(Technopark).filter_by(slug="theirs")).scalar_one()
        article = NewsArticle(url="https://news.example/theirs", title="О чужом технопарке")
        article.technoparks.append(theirs)
        entry = AuditEntry(
            entity_type="technopark",
            entity_id=theirs.id,
            action="edit",
            field="name",
            old_value="Прежнее название",
            new_value="Чужой технопарк",
        )
        report = CorrectionReport(technopark=theirs, field="phone", suggested_value="+7 495 1")
        access = AccessRequest(
            technopark=theirs, name="Вера", position="методист", email="vera@example.org"
        )
        db.session.add_all([article, entry, report, access])
        db.session.commit()
        ids = {
            "article_id": article.id,
            "report_id": report.id,
            "request_id": access.id,
            "entry_id": entry.id,
        }
    return {"slug": "theirs", "user_id": other, **ids}


def url_for_route(app: Flask, endpoint: str, world: dict[str, int | str]) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values = {name: world[name] for name in rule.arguments}
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def audit_rows(app: Flask) -> int:
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_the_walk_covers_the_workspace() -> None:
    endpoints = {endpoint for endpoint, _method in MANAGE_ROUTES}
    assert {
        "manage.index",
        "manage.technopark_edit",
        "manage.technopark_history",
        "manage.technopark_publish",
        "manage.technopark_confirm",
        "manage.news_edit",
        "manage.user_list",
        "manage.user_grant",
        "manage.user_deactivate",
        "manage.technoparks_import",
        "manage.report_apply",
        "manage.report_done",
        "manage.report_reject",
        "manage.access_request_list",
        "manage.access_request_approve",
        "manage.access_request_reject",
    } <= endpoints
    assert ("manage.technoparks_import", "POST") in RESTRICTED_ROUTES
    assert ("manage.technopark_edit", "POST") in MANAGE_ROUTES
    assert OPEN_TO_EVERY_ACCOUNT <= endpoints


@pytest.mark.parametrize(("endpoint", "method"), MANAGE_ROUTES, ids=route_ids(MANAGE_ROUTES))
def test_anonymous_visitors_are_refused(
    app: Flask, client: FlaskClient, world: dict[str, int | str], endpoint: str, method: str
) -> None:
    path = url_for_route(app, endpoint, world)
    # A valid CSRF token, so the refusal comes from the permission check itself.
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.open(path, method=method, data={"csrf_token": token})
    assert response.status_code in (302, 401, 403), response.status_code
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login?next=")
    assert audit_rows(app) == 1  # the one the world began with


@pytest.mark.parametrize(
    ("endpoint", "method"), RESTRICTED_ROUTES, ids=route_ids(RESTRICTED_ROUTES)
)
def test_coordinators_without_the_grant_are_refused(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, int | str],
    endpoint: str,
    method: str,
) -> None:
    auth.login(email="anna@example.org")
    path = url_for_route(app, endpoint, world)
    response = client.open(path, method=method, data={"csrf_token": auth.csrf_token()})
    assert response.status_code == 403
    assert audit_rows(app) == 1  # the one the world began with


@pytest.mark.parametrize(
    ("email", "path", "method", "status"),
    [
        # A coordinator on their own technopark.
        ("anna@example.org", "/manage/technoparks/mine/edit", "GET", 200),
        ("anna@example.org", "/manage/technoparks/mine/history", "GET", 200),
        ("anna@example.org", "/manage/technoparks/mine/confirm", "POST", 302),
        # Publishing and accounts are for administrators only, even on one's own technopark.
        ("anna@example.org", "/manage/technoparks/mine/publish", "POST", 403),
        ("anna@example.org", "/manage/users", "GET", 403),
        ("anna@example.org", "/manage/users/new", "GET", 403),
        # Another coordinator's technopark.
        ("anna@example.org", "/manage/technoparks/theirs/edit", "GET", 403),
        ("anna@example.org", "/manage/technoparks/theirs/edit", "POST", 403),
        ("anna@example.org", "/manage/technoparks/theirs/history", "GET", 403),
        ("anna@example.org", "/manage/technoparks/theirs/confirm", "POST", 403),
        # A missing technopark is 404 for everyone signed in.
        ("anna@example.org", "/manage/technoparks/no-such-park/edit", "GET", 404),
        # The administrator may do everything.
        ("admin@example.org", "/manage/technoparks/theirs/edit", "GET", 200),
        ("admin@example.org", "/manage/technoparks/theirs/history", "GET", 200),
        ("admin@example.org", "/manage/technoparks/theirs/publish", "POST", 302),
        ("admin@example.org", "/manage/technoparks/mine/confirm", "POST", 302),
        ("admin@example.org", "/manage/users", "GET", 200),
        ("admin@example.org", "/manage/users/new", "GET", 200),
        # The other coordinator on theirs.
        ("other@example.org", "/manage/technoparks/theirs/edit", "GET", 200),
        ("other@example.org", "/manage/technoparks/mine/edit", "GET", 403),
    ],
)
def test_permission_cases(
    client: FlaskClient,
    auth: AuthActions,
    world: dict[str, int | str],
    email: str,
    path: str,
    method: str,
    status: str,
) -> None:
    auth.login(email=email)
    response = client.open(path, method=method, data={"csrf_token": auth.csrf_token()})
    assert response.status_code == status


@pytest.mark.parametrize("endpoint", sorted(OPEN_TO_EVERY_ACCOUNT))
def test_open_pages_answer_a_coordinator_without_grants(
    app: Flask, client: FlaskClient, auth: AuthActions, endpoint: str
) -> None:
    auth.create_user(email="new@example.org", name="Новенький")
    auth.login(email="new@example.org")
    response = client.get(url_for_route(app, endpoint, {}))
    assert response.status_code == 200


def test_news_of_other_technoparks_is_refused(
    client: FlaskClient, auth: AuthActions, world: dict[str, int | str]
) -> None:
    auth.login(email="anna@example.org")
    path = f"/manage/news/{world['article_id']}/edit"
    assert client.get(path).status_code == 403
    auth.logout()
    auth.login(email="other@example.org")
    assert client.get(path).status_code == 200


def test_the_dashboard_shows_only_my_technoparks(
    client: FlaskClient, auth: AuthActions, world: dict[str, int | str]
) -> None:
    auth.login(email="anna@example.org")
    page = client.get("/manage/").get_data(as_text=True)
    assert "Мой технопарк" in page
    assert "Чужой технопарк" not in page
    auth.logout()
    auth.login(email="admin@example.org")
    page = client.get("/manage/").get_data(as_text=True)
    assert "Мой технопарк" in page and "Чужой технопарк" in page


def test_a_coordinator_cannot_link_news_to_others_technoparks(
    app: Flask, client: FlaskClient, auth: AuthActions, world: dict[str, int | str]
) -> None:
    auth.login(email="anna@example.org")
    form = client.get("/manage/news/new").get_data(as_text=True)
    assert 'value="mine"' in form
    assert 'value="theirs"' not in form
    response = auth.post(
        "/manage/news/new",
        {
            "url": "https://news.example/new",
            "title": "Новость",
            "language": "ru",
            "technoparks": ["theirs"],
        },
    )
    assert response.status_code == 200
    assert "неизвестные значения: theirs" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.execute(
                select(NewsArticle).filter_by(url="https://news.example/new")
            ).first()
            is None
        )


def test_admin_only_user_actions_change_nothing_for_coordinators(
    app: Flask, auth: AuthActions, world: dict[str, int | str]
) -> None:
    auth.login(email="anna@example.org")
    assert auth.post(f"/manage/users/{world['user_id']}/deactivate").status_code == 403
    assert auth.post(f"/manage/users/{world['user_id']}/revoke/theirs").status_code == 403
    with app.app_context():
        other = db.session.get(User, world["user_id"])
        assert other.active
        assert [technopark.slug for technopark in other.technoparks] == ["theirs"]

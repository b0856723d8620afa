"""Accounts: administrators create coordinators, grant, revoke and deactivate; the CLI flow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import GOOD_PASSWORD, AuthActions, form_data
from sqlalchemy import select

from directory.domain.models import AuditEntry, Role, Technopark, User
from directory.extensions import db


@pytest.fixture
def admin(auth: AuthActions, make_technopark: Callable[..., Technopark]) -> AuthActions:
    make_technopark(slug="kvantorium-a", name="Кванториум А")
    make_technopark(slug="kvantorium-b", name="Кванториум Б")
    auth.create_user(email="admin@example.org", name="Админ", role=Role.ADMIN)
    auth.login(email="admin@example.org")
    return auth


def user(app: Flask, email: str) -> tuple[bool, list[str], Role]:
    with app.app_context():
        row = db.session.execute(select(User).filter_by(email=email)).scalar_one()
        return row.active, [tp.slug for tp in row.technoparks], row.role


def test_an_admin_creates_a_coordinator_who_can_sign_in(
    app: Flask, client: FlaskClient, admin: AuthActions
) -> None:
    response = admin.post(
        "/manage/users/new",
        {"email": "Vera@Example.org", "name": "Вера Смирнова", "password": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/users"
    assert user(app, "vera@example.org") == (True, [], Role.COORDINATOR)
    page = client.get("/manage/users").get_data(as_text=True)
    assert "Вера Смирнова" in page
    admin.logout()
    assert admin.login(email="vera@example.org", password=GOOD_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "admin@example.org"}, "Учётная запись с этим адресом уже есть."),
        (
            {"email": "not-an-address"},
            "Введите адрес электронной почты, например name@example.org.",
        ),
        ({"name": " "}, "Введите имя и фамилию."),
        ({"password": "short1"}, "Пароль должен быть не короче 10 символов."),
        ({"password": "1234567890"}, "Это один из самых распространённых паролей."),
        ({"password": "vera-likes-robots"}, "Пароль не должен содержать адрес электронной почты."),
    ],
)
def test_new_account_rules_explain_themselves(
    app: Flask, admin: AuthActions, data: dict[str, str], message: str
) -> None:
    values = {"email": "vera@example.org", "name": "Вера", "password": GOOD_PASSWORD, **data}
    response = admin.post("/manage/users/new", values)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.execute(select(User)).all()) == 1


def test_grant_and_revoke(app: Flask, client: FlaskClient, admin: AuthActions) -> None:
    vera = admin.create_user(email="vera@example.org", name="Вера")
    page = client.get("/manage/users").get_data(as_text=True)
    grant_path = f"/manage/users/{vera}/grant"
    data = form_data(page, grant_path)
    assert admin.post(grant_path, {"technopark": "kvantorium-b"}).status_code == 302
    assert data["technopark"] == "kvantorium-a"  # the first option
    assert user(app, "vera@example.org")[1] == ["kvantorium-b"]
    assert admin.post(grant_path, {"technopark": "no-such-park"}).status_code == 302
    assert user(app, "vera@example.org")[1] == ["kvantorium-b"]
    assert admin.post(f"/manage/users/{vera}/revoke/kvantorium-b").status_code == 302
    assert user(app, "vera@example.org")[1] == []
    with app.app_context():
        actions = [
            (row.action, row.old_value, row.new_value, row.user.name)
            for row in db.session.execute(
                select(AuditEntry).filter_by(entity_type="user").order_by(AuditEntry.id)
            ).scalars()
        ]
    assert actions == [
        ("grant", None, "kvantorium-b", "Админ"),
        ("revoke", "kvantorium-b", None, "Админ"),
    ]


def test_a_deactivated_coordinator_is_signed_out_and_refused(
    app: Flask, admin: AuthActions
) -> None:
    vera_id = admin.create_user(email="vera@example.org", name="Вера", technoparks=["kvantorium-a"])
    vera = app.test_client()
    admin.login(email="vera@example.org", client=vera)
    assert vera.get("/manage/").status_code == 200
    assert admin.post(f"/manage/users/{vera_id}/deactivate").status_code == 302
    assert user(app, "vera@example.org")[0] is False
    assert vera.get("/manage/").status_code == 302
    refused = admin.login(email="vera@example.org", client=app.test_client())
    assert "Неверный адрес электронной почты или пароль." in refused.get_data(as_text=True)
    assert admin.post(f"/manage/users/{vera_id}/activate").status_code == 302
    assert admin.login(email="vera@example.org", client=app.test_client()).status_code == 302


def test_an_admin_cannot_deactivate_themselves(
    app: Flask, client: FlaskClient, admin: AuthActions
) -> None:
    with app.app_context():
        admin_id = db.session.execute(select(User)).scalar_one().id
    response = admin.post(f"/manage/users/{admin_id}/deactivate", follow_redirects=True)
    assert "Нельзя отключить собственную учётную запись." in response.get_data(as_text=True)
    assert user(app, "admin@example.org")[0] is True


# ---------------------------------------------------------------- the whole story from the CLI


def test_a_cli_coordinator_edits_only_their_technopark_and_meets_conflicts(
    seeded_app: Flask, auth: AuthActions
) -> None:
    """`users create --password-stdin` and `users grant`, then the workspace in two browsers."""
    runner = seeded_app.test_cli_runner()
    for email, name in (("anna@example.org", "Анна"), ("boris@example.org", "Борис")):
        created = runner.invoke(
            args=[
                "users",
                "create",
                email,
                "--name",
                name,
                "--role",
                "coordinator",
                "--password-stdin",
            ],
            input=GOOD_PASSWORD + "\n",
        )
        assert created.exit_code == 0, created.output
        granted = runner.invoke(args=["users", "grant", email, "kvantorium-mosgormash"])
        assert granted.exit_code == 0, granted.output

    anna, boris = seeded_app.test_client(), seeded_app.test_client()
    assert auth.login(email="anna@example.org", client=anna).status_code == 302
    assert auth.login(email="boris@example.org", client=boris).status_code == 302
    assert anna.get("/manage/technoparks/kvantorium-technopolis-moscow/edit").status_code == 403

    path = "/manage/technoparks/kvantorium-mosgormash/edit"
    annas_form = form_data(anna.get(path).get_data(as_text=True), path)
    boris_form = form_data(boris.get(path).get_data(as_text=True), path)
    boris_form["district"] = "Район от Бориса"
    assert boris.post(path, data=boris_form).status_code == 302
    annas_form["district"] = "Район от Анны"
    conflict = anna.post(path, data=annas_form)
    assert conflict.status_code == 409
    assert "Район от Бориса" in conflict.get_data(as_text=True)

    history = anna.get("/manage/technoparks/kvantorium-mosgormash/history").get_data(as_text=True)
    assert "Борис" in history and "Район от Бориса" in history
    assert "Район от Анны" not in history
    profile = anna.get("/technoparks/kvantorium-mosgormash").get_data(as_text=True)
    assert "Район от Бориса" in profile

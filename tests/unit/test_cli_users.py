"""`flask users create` and `flask users grant`: accounts from the command line."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from directory.domain.models import Role, Technopark, User
from directory.extensions import db

GOOD_PASSWORD = "correct horse battery staple"


def create(
    runner: FlaskCliRunner, email: str, password: str = GOOD_PASSWORD, role: str = "coordinator"
):
    return runner.invoke(
        args=[
            "users",
            "create",
            email,
            "--name",
            "Анна Петрова",
            "--role",
            role,
            "--password-stdin",
        ],
        input=password + "\n",
    )


def test_create_stores_a_hashed_password(app: Flask, runner: FlaskCliRunner) -> None:
    result = create(runner, "Anna@Example.org", role="admin")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert user.email == "anna@example.org"
        assert user.role == Role.ADMIN
        assert user.password_hash.startswith("scrypt:")
        assert GOOD_PASSWORD not in user.password_hash
        assert user.check_password(GOOD_PASSWORD)
        assert not user.check_password("wrong password here")


def test_duplicate_email_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    assert create(runner, "anna@example.org").exit_code == 0
    result = create(runner, "ANNA@example.org")
    assert result.exit_code == 1
    assert "already exists" in result.output
    with app.app_context():
        assert len(db.session.execute(select(User)).all()) == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "at least 10 characters"),
        ("aaaaaaaaaaaa", "too few different characters"),
        ("1234567890", "most common passwords"),
        ("qwertyuiop", "most common passwords"),
        ("anna.secret.2024", "must not contain the email"),
    ],
)
def test_weak_password_is_refused(
    app: Flask, runner: FlaskCliRunner, password: str, reason: str
) -> None:
    result = create(runner, "anna@example.org", password=password)
    assert result.exit_code == 1
    assert reason in result.output
    with app.app_context():
        assert db.session.execute(select(User)).first() is None


def test_bad_email_and_role_are_refused(runner: FlaskCliRunner) -> None:
    assert create(runner, "not-an-address").exit_code == 1
    result = create(runner, "anna@example.org", role="superuser")
    assert result.exit_code != 0
    assert "superuser" in result.output


def test_grant_lets_a_coordinator_edit_a_technopark(
    app: Flask, runner: FlaskCliRunner, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="kvantorium-test")
    assert create(runner, "anna@example.org").exit_code == 0
    result = runner.invoke(args=["users", "grant", "anna@example.org", "kvantorium-test"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["users", "grant", "anna@example.org", "kvantorium-test"])
    assert again.exit_code == 0
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        assert [technopark.slug for technopark in user.technoparks] == ["kvantorium-test"]


def test_grant_of_an_unknown_slug_or_user_is_refused(
    runner: FlaskCliRunner, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="kvantorium-test")
    assert create(runner, "anna@example.org").exit_code == 0
    unknown_slug = runner.invoke(args=["users", "grant", "anna@example.org", "no-such-park"])
    assert unknown_slug.exit_code == 1
    assert "no technopark with the slug" in unknown_slug.output
    unknown_user = runner.invoke(args=["users", "grant", "bob@example.org", "kvantorium-test"])
    assert unknown_user.exit_code == 1
    assert "no user with the email" in unknown_user.output

"""Signing in and out: cookies, the `next` parameter, CSRF, rate limits, ending sessions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import GOOD_PASSWORD, REPOSITORY, AuthActions
from sqlalchemy import select

from directory import create_app
from directory.domain.models import Technopark, User
from directory.extensions import db
from directory.web.auth.views import safe_next_path

WRONG_LOGIN = "Неверный адрес электронной почты или пароль."


def set_cookie_headers(response, name: str) -> list[str]:
    return [
        header for header in response.headers.getlist("Set-Cookie") if header.startswith(name + "=")
    ]


# ---------------------------------------------------------------- signing in and out


def test_sign_in_opens_the_workspace(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user(name="Анна Петрова")
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"
    page = client.get("/manage/").get_data(as_text=True)
    assert "Анна Петрова" in page


def test_the_login_page_has_labelled_fields(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">' in page
    assert '<label for="password">' in page
    assert 'name="csrf_token"' in page
    assert 'autocomplete="current-password"' in page


def test_anonymous_workspace_visit_goes_to_sign_in_and_back(
    client: FlaskClient, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="mine")
    auth.create_user(technoparks=["mine"])
    response = client.get("/manage/technoparks/mine/edit")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/manage/technoparks/mine/edit"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/manage/technoparks/mine/edit"' in page
    signed_in = auth.login(next="/manage/technoparks/mine/edit")
    assert signed_in.headers["Location"] == "/manage/technoparks/mine/edit"


@pytest.mark.parametrize(
    "case",
    ["unknown-email", "wrong-password", "deactivated", "wrong-case-password"],
)
def test_a_wrong_sign_in_gets_one_neutral_message(
    app: Flask, client: FlaskClient, auth: AuthActions, case: str
) -> None:
    auth.create_user(email="anna@example.org")
    email, password = "anna@example.org", GOOD_PASSWORD
    if case == "unknown-email":
        email = "nobody@example.org"
    elif case == "wrong-password":
        password = "not the right password"
    elif case == "wrong-case-password":
        password = GOOD_PASSWORD.upper()
    else:
        with app.app_context():
            db.session.execute(select(User)).scalar_one().active = False
            db.session.commit()
    response = auth.login(email=email, password=password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert WRONG_LOGIN in page
    for revealing in ("не найден", "деактив", "not found", "deactivated"):
        assert revealing not in page
    assert client.get("/manage/").status_code == 302


def test_the_email_is_matched_without_regard_to_case(auth: AuthActions) -> None:
    auth.create_user(email="anna@example.org")
    assert auth.login(email="  ANNA@Example.org ").status_code == 302


def test_get_logout_never_signs_out(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user()
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.get("/manage/").status_code == 200


def test_post_logout_signs_out(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user()
    auth.login()
    response = auth.logout()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/manage/").status_code == 302


def test_signed_in_pages_offer_sign_out_as_a_form(client: FlaskClient, auth: AuthActions) -> None:
    assert 'href="/login"' in client.get("/").get_data(as_text=True)
    auth.create_user()
    auth.login()
    page = client.get("/").get_data(as_text=True)
    assert '<form method="post" action="/logout"' in page
    assert 'href="/login"' not in page


# ---------------------------------------------------------------- CSRF


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_sign_in_without_a_valid_csrf_token_is_400(
    client: FlaskClient, auth: AuthActions, token: str | None
) -> None:
    auth.create_user()
    client.get("/login")
    data = {"email": auth.email, "password": auth.password}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "Форма устарела" in response.get_data(as_text=True)
    assert client.get("/manage/").status_code == 302


def test_logout_without_a_csrf_token_is_400(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user()
    auth.login()
    assert client.post("/logout").status_code == 400
    assert client.get("/manage/").status_code == 200


# ---------------------------------------------------------------- cookies


def production_app(app: Flask) -> Flask:
    """The same database behind an app configured as in production (not testing)."""
    return create_app(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "a-production-secret-key-of-forty-characters",
        }
    )


def test_cookies_are_httponly_lax_and_secure_outside_debug(app: Flask, auth: AuthActions) -> None:
    auth.create_user()
    production = production_app(app)
    try:
        client = production.test_client()
        response = auth.login(remember=True, client=client)
        assert response.status_code == 302
        session_cookie = set_cookie_headers(response, "session")[-1]
        remember_cookie = set_cookie_headers(response, "remember_token")[-1]
        for header in (session_cookie, remember_cookie):
            assert "; Secure" in header
            assert "; HttpOnly" in header
            assert "; SameSite=Lax" in header
    finally:
        with production.app_context():
            db.engine.dispose()


def test_cookies_are_not_secure_in_debug(app: Flask) -> None:
    debug = create_app({"DEBUG": True, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]})
    assert debug.config["SESSION_COOKIE_SECURE"] is False
    assert debug.config["REMEMBER_COOKIE_SECURE"] is False
    assert debug.config["SESSION_COOKIE_HTTPONLY"] is True


def test_remember_me_lasts_at_most_30_days(app: Flask, auth: AuthActions) -> None:
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(days=30)
    auth.create_user()
    response = auth.login(remember=True)
    header = set_cookie_headers(response, "remember_token")[-1]
    expires = parsedate_to_datetime(header.split("Expires=")[1].split(";")[0])
    lifetime = expires - datetime.now(UTC)
    assert timedelta(days=29) < lifetime <= timedelta(days=30)


def test_no_remember_cookie_unless_asked(auth: AuthActions) -> None:
    auth.create_user()
    assert set_cookie_headers(auth.login(), "remember_token") == []


def test_remember_me_survives_the_browser_session(client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user()
    auth.login(remember=True)
    client.delete_cookie("session")
    assert client.get("/manage/").status_code == 200


# ---------------------------------------------------------------- ending sessions


def test_a_password_change_signs_out_every_other_device(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create_user()
    laptop = app.test_client()
    auth.login(remember=True, client=laptop)
    auth.login()
    response = auth.post(
        "/manage/password",
        {
            "current_password": GOOD_PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    # This device stays signed in; the laptop is out, even with its remember-me cookie.
    assert client.get("/manage/").status_code == 200
    assert laptop.get("/manage/").status_code == 302
    laptop.delete_cookie("session")
    assert laptop.get("/manage/").status_code == 302
    assert (
        auth.login(password="a brand new passphrase", client=app.test_client()).status_code == 302
    )


def test_a_rotated_token_ends_remembered_sessions(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create_user()
    auth.login(remember=True)
    with app.app_context():
        user = db.session.execute(select(User)).scalar_one()
        user.set_password("another good passphrase")
        db.session.commit()
    assert client.get("/manage/").status_code == 302
    client.delete_cookie("session")
    assert client.get("/manage/").status_code == 302


def test_a_deactivated_user_is_signed_out_at_the_next_request(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create_user()
    auth.login(remember=True)
    assert client.get("/manage/").status_code == 200
    with app.app_context():
        db.session.execute(select(User)).scalar_one().active = False
        db.session.commit()
    response = client.get("/manage/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    client.delete_cookie("session")
    assert client.get("/manage/").status_code == 302


# ---------------------------------------------------------------- next


UNSAFE_NEXT = [
    pytest.param("//evil.example", id="protocol-relative"),
    pytest.param("/\\evil.example", id="slash-backslash"),
    pytest.param("\\\\evil.example", id="double-backslash"),
    pytest.param("///evil.example", id="triple-slash"),
    pytest.param("https://evil.example/manage/", id="absolute-https"),
    pytest.param("http://localhost/manage/", id="absolute-http-same-host"),
    pytest.param(" /manage/", id="leading-blank"),
    pytest.param("\t/manage/", id="leading-tab"),
    pytest.param("/\t/evil.example", id="tab-inside"),
    pytest.param("/\n/evil.example", id="newline-inside"),
    pytest.param("/\x00/evil.example", id="nul"),
    pytest.param("/%2F%2Fevil.example", id="encoded-slashes"),
    pytest.param("/%2f/evil.example", id="encoded-lower-case"),
    pytest.param("/%252F%252Fevil.example", id="double-encoded"),
    pytest.param("/%5Cevil.example", id="encoded-backslash"),
    pytest.param("/%09/evil.example", id="encoded-tab"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("JaVaScRiPt:alert(1)", id="javascript-mixed-case"),
    pytest.param("data:text/html,<script>alert(1)</script>", id="data"),
    pytest.param("manage/", id="relative"),
    pytest.param("", id="empty"),
]
SAFE_NEXT = [
    "/manage/",
    "/manage/technoparks/kvantorium/edit",
    "/technoparks/kvantorium?lang=en",
    "/?q=robot&city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_unsafe_next_is_refused(target: str) -> None:
    assert safe_next_path(target) is None


@pytest.mark.parametrize("target", SAFE_NEXT)
def test_same_site_next_is_kept(target: str) -> None:
    assert safe_next_path(target) == target


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_sign_in_with_unsafe_next_goes_to_the_workspace(auth: AuthActions, target: str) -> None:
    auth.create_user()
    response = auth.login(next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/"


@pytest.mark.parametrize("target", SAFE_NEXT)
def test_sign_in_follows_same_site_next(auth: AuthActions, target: str) -> None:
    auth.create_user()
    response = auth.login(next=target)
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/"])
def test_signed_in_visit_to_login_with_unsafe_next_stays_here(
    client: FlaskClient, auth: AuthActions, target: str
) -> None:
    auth.create_user()
    auth.login()
    response = client.get("/login", query_string={"next": target})
    assert response.headers["Location"] == "/manage/"


# ---------------------------------------------------------------- rate limits


def fail(auth: AuthActions, email: str = "anna@example.org", client: FlaskClient | None = None):
    return auth.login(email=email, password="a wrong password", client=client)


def test_failed_sign_ins_per_account_are_limited(app: Flask, auth: AuthActions) -> None:
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    auth.create_user(email="anna@example.org")
    for _attempt in range(3):
        assert fail(auth).status_code == 200
    blocked = fail(auth)
    assert blocked.status_code == 429
    assert "Слишком много попыток" in blocked.get_data(as_text=True)
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    # Over the limit even the right password waits: that is what stops guessing.
    assert auth.login(email="ANNA@example.org").status_code == 429
    # Another account from the same address is not affected by this one's limit.
    auth.create_user(email="boris@example.org")
    assert auth.login(email="boris@example.org").status_code == 302


def test_successful_sign_ins_do_not_count(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    auth.create_user(email="anna@example.org")
    for _sign_in in range(6):
        assert auth.login().status_code == 302
        auth.logout()
    for _attempt in range(3):
        assert fail(auth).status_code == 200
    assert fail(auth).status_code == 429


def test_failed_sign_ins_per_address_are_limited(app: Flask, auth: AuthActions) -> None:
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "4 per 15 minutes"
    for number in range(4):
        assert fail(auth, email=f"guess{number}@example.org").status_code == 200
    assert fail(auth, email="another-guess@example.org").status_code == 429


def test_the_limits_are_the_documented_defaults(app: Flask) -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    for key in ("LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS"):
        assert f"`{key}`" in readme
        assert f"`{app.config[key]}`" in readme


def redis_reachable() -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def test_limits_are_shared_through_redis(app: Flask, auth: AuthActions) -> None:
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis on 127.0.0.1:6379 is needed for this test in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = "test-" + uuid.uuid4().hex
    auth.create_user(email="anna@example.org")
    settings = {
        "TESTING": True,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": "test-secret-key-that-is-long-enough",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_FAILURES_PER_ACCOUNT": "2 per 15 minutes",
    }
    # Two processes behind one Redis: failures on one count on the other.
    first, second = create_app(settings), create_app(settings)
    try:
        assert fail(auth, client=first.test_client()).status_code == 200
        assert fail(auth, client=second.test_client()).status_code == 200
        assert fail(auth, client=first.test_client()).status_code == 429
        assert fail(auth, client=second.test_client()).status_code == 429
    finally:
        import redis

        connection = redis.Redis(host="127.0.0.1", port=6379)
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)
        connection.close()
        for built in (first, second):
            with built.app_context():
                db.engine.dispose()

"""Sign-ins kept on the server: signing out ends them, so a copied cookie opens nothing.

Each sign-in is a row holding the hash of the token its cookie carries; these tests copy
cookies between clients as someone who stole one would, and read the rows.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import GOOD_PASSWORD, AuthActions, Mailbox, csrf_token_in, form_data, link_in
from sqlalchemy import select

from directory.domain.models import SignIn, User, utcnow
from directory.domain.sign_ins import note_seen, token_hash
from directory.extensions import db

NEW_PASSWORD = "a brand new passphrase"


def copy_cookies(source: FlaskClient, names: tuple[str, ...] = ("session", "remember_token")):
    """A new client holding copies of the source's cookies, as a thief would."""
    thief = source.application.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def stored_sign_ins(app: Flask) -> list[tuple[int, str]]:
    with app.app_context():
        return [
            (row.user_id, row.token_hash)
            for row in db.session.execute(select(SignIn).order_by(SignIn.id)).scalars()
        ]


def cookie_token(client: FlaskClient, name: str = "remember_token") -> str:
    """The sign-in token in the remember-me cookie ("id:token|signature")."""
    value = client.get_cookie(name).value
    return value.split("|", 1)[0].split(":", 1)[1]


def expect_sign_in_page(response) -> None:
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_each_sign_in_is_stored_as_a_hash_and_sign_out_deletes_it(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    user_id = auth.create_user()
    auth.login(remember=True)
    token = cookie_token(client)
    assert stored_sign_ins(app) == [(user_id, token_hash(token))]
    laptop = app.test_client()
    auth.login(client=laptop)
    assert len(stored_sign_ins(app)) == 2

    auth.logout()
    assert stored_sign_ins(app)[0][1] != token_hash(token)
    assert len(stored_sign_ins(app)) == 1
    # The other browser's sign-in is its own, and stays.
    assert laptop.get("/manage/").status_code == 200


@pytest.mark.parametrize(
    "copied",
    [("session", "remember_token"), ("session",), ("remember_token",)],
    ids=["both-cookies", "session-cookie", "remember-cookie"],
)
def test_a_cookie_copied_before_sign_out_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, copied: tuple[str, ...]
) -> None:
    auth.create_user()
    auth.login(remember=True)
    thief = copy_cookies(client, copied)
    opened = thief.get("/manage/")
    assert opened.status_code == 200
    # A form token from a page opened before the sign-out, to post with afterwards.
    token = csrf_token_in(opened.get_data(as_text=True))

    assert auth.logout().status_code == 302
    expect_sign_in_page(thief.get("/manage/"))
    expect_sign_in_page(client.get("/manage/"))
    # Replaying it on a form that writes is refused too, and changes nothing.
    data = {
        "csrf_token": token,
        "current_password": GOOD_PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    expect_sign_in_page(thief.post("/manage/password", data=data))
    assert stored_sign_ins(app) == []
    assert auth.login(password=GOOD_PASSWORD, client=app.test_client()).status_code == 302


def test_a_token_is_refused_for_another_account(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create_user(email="anna@example.org")
    other_id = auth.create_user(email="boris@example.org", name="Борис Иванов")
    auth.login(email="anna@example.org", remember=True)
    token = cookie_token(client)
    forged = app.test_client()
    with forged.session_transaction() as session:
        session["_user_id"] = f"{other_id}:{token}"
        session["_fresh"] = True
    expect_sign_in_page(forged.get("/manage/"))


def test_changing_the_password_ends_every_other_sign_in(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create_user()
    laptop = app.test_client()
    auth.login(remember=True, client=laptop)
    auth.login()
    old_cookie = copy_cookies(client)
    response = auth.post(
        "/manage/password",
        {
            "current_password": GOOD_PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert client.get("/manage/").status_code == 200
    expect_sign_in_page(laptop.get("/manage/"))
    # This device's own cookie from before the change is spent as well: it has a new one.
    expect_sign_in_page(old_cookie.get("/manage/"))
    assert len(stored_sign_ins(app)) == 1


def test_a_password_reset_by_link_ends_every_sign_in(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="anna@example.org")
    laptop, phone = app.test_client(), app.test_client()
    auth.login(client=laptop, remember=True)
    auth.login(client=phone)
    assert len(stored_sign_ins(app)) == 2

    token = csrf_token_in(client.get("/password/forgot").get_data(as_text=True))
    client.post("/password/forgot", data={"email": "anna@example.org", "csrf_token": token})
    link = link_in(mailbox.received[0].body, "/password/set/")
    form = form_data(client.get(link).get_data(as_text=True), link)
    form.update(new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    assert client.post(link, data=form).status_code == 302

    assert stored_sign_ins(app) == []
    expect_sign_in_page(laptop.get("/manage/"))
    expect_sign_in_page(phone.get("/manage/"))


def test_deactivating_an_account_deletes_its_sign_ins(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    from directory.domain import operations

    auth.create_user(email="admin@example.org", name="Админ")
    coordinator_id = auth.create_user(email="anna@example.org")
    auth.login(remember=True)
    with app.app_context():
        admin = db.session.execute(select(User).where(User.email == "admin@example.org")).scalar()
        operations.set_active(db.session.get(User, coordinator_id), False, admin)
        db.session.commit()
    assert stored_sign_ins(app) == []
    expect_sign_in_page(client.get("/manage/"))


def test_last_seen_moves_on_with_writing_requests_only(
    app: Flask, client: FlaskClient, auth: AuthActions, make_technopark
) -> None:
    technopark = make_technopark()
    auth.create_user(technoparks=[technopark.slug])
    auth.login()
    an_hour_ago = utcnow() - timedelta(hours=1)
    with app.app_context():
        db.session.execute(select(SignIn)).scalar_one().last_seen_at = an_hour_ago
        db.session.commit()

    def minutes_since_seen() -> float:
        with app.app_context():
            seen = db.session.execute(select(SignIn.last_seen_at)).scalar_one()
        return (utcnow().replace(tzinfo=None) - seen.replace(tzinfo=None)).total_seconds() / 60

    edit = f"/manage/technoparks/{technopark.slug}/edit"
    page = client.get(edit)
    assert page.status_code == 200
    assert minutes_since_seen() > 59
    form = form_data(page.get_data(as_text=True), edit)
    form["description"] = "Новое описание"
    assert client.post(edit, data=form).status_code == 302
    assert minutes_since_seen() < 1


def test_last_seen_is_written_at_most_every_few_minutes() -> None:
    now = utcnow()
    sign_in = SignIn(last_seen_at=now - timedelta(minutes=1))
    note_seen(sign_in, now)
    assert sign_in.last_seen_at == now - timedelta(minutes=1)
    sign_in.last_seen_at = now - timedelta(minutes=6)
    note_seen(sign_in, now)
    assert sign_in.last_seen_at == now

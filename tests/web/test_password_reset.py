"""A forgotten password: a neutral answer, a one-time link by email, expiry, sessions ended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import GOOD_PASSWORD, AuthActions, Mailbox, csrf_token_in, form_data, link_in
from sqlalchemy import func, select, update

from directory.domain.models import AuditEntry, OutboxMessage, PasswordLink, Role, User, utcnow
from directory.extensions import db

FORGOT = "/password/forgot"
NEW_PASSWORD = "another long password 77"
NEUTRAL = "Если есть учётная запись с этим адресом, на него уже отправлена ссылка"


def ask_for_a_link(client: FlaskClient, email: str, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    token = csrf_token_in(client.get(FORGOT, environ_base=environ).get_data(as_text=True))
    return client.post(FORGOT, data={"email": email, "csrf_token": token}, environ_base=environ)


def choose_password(client: FlaskClient, link: str, password: str = NEW_PASSWORD):
    page = client.get(link)
    if page.status_code != 200:
        return page
    form = form_data(page.get_data(as_text=True), link)
    form.update(new_password=password, confirm_password=password)
    return client.post(link, data=form)


def test_the_sign_in_page_offers_a_reset(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert f'href="{FORGOT}"' in page and "Забыли пароль?" in page


@pytest.mark.parametrize("exists", [True, False])
def test_the_answer_is_the_same_whether_or_not_the_account_exists(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox, exists: bool
) -> None:
    auth.create_user(email="anna@example.org")
    email = "anna@example.org" if exists else "nobody@example.org"
    answer = ask_for_a_link(client, email)
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert NEUTRAL in client.get("/login").get_data(as_text=True)
    assert [message.recipients for message in mailbox.received] == (
        [["anna@example.org"]] if exists else []
    )


def test_a_reset_link_works_once_and_signs_out_every_other_device(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="anna@example.org")
    other_device = app.test_client()
    auth.login(client=other_device)
    assert other_device.get("/manage/").status_code == 200

    ask_for_a_link(client, "ANNA@example.org")
    [message] = mailbox.received
    assert "48 часов" in message.body
    link = link_in(message.body, "/password/set/")
    assert "Выберите новый пароль" in client.get(link).get_data(as_text=True)
    chosen = choose_password(client, link)
    assert chosen.status_code == 302

    assert auth.login(password=GOOD_PASSWORD).status_code == 200
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    # The device signed in with the old password is signed out.
    assert other_device.get("/manage/").status_code == 302
    # Once used, the link is spent, even to set the same password again.
    assert client.get(link).status_code == 410
    assert choose_password(app.test_client(), link, "yet another password 99").status_code == 410
    with app.app_context():
        actions = db.session.execute(
            select(AuditEntry.action).where(AuditEntry.entity_type == "user")
        ).scalars()
        assert list(actions) == ["reset_password"]


def test_using_one_link_spends_the_others(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    first, second = (link_in(message.body, "/password/set/") for message in mailbox.received)
    assert first != second
    assert choose_password(client, second).status_code == 302
    assert client.get(first).status_code == 410


def test_an_expired_link_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    link = link_in(mailbox.received[0].body, "/password/set/")
    with app.app_context():
        stored = db.session.execute(select(PasswordLink)).scalar_one()
        # The link was made to last 48 hours.
        lifetime = stored.expires_at - stored.created_at
        assert timedelta(hours=47, minutes=59) < lifetime <= timedelta(hours=48)
        db.session.execute(update(PasswordLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    refused = choose_password(client, link)
    assert refused.status_code == 410
    assert "Эта ссылка больше не работает" in refused.get_data(as_text=True)
    assert auth.login(password=NEW_PASSWORD).status_code == 200


@pytest.mark.parametrize("token", ["", "x", "not-a-token" * 30, "%00"])
def test_made_up_links_are_refused(client: FlaskClient, token: str) -> None:
    assert client.get(f"/password/set/{token}").status_code in (404, 410)


def test_the_link_holds_the_password_policy(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    link = link_in(mailbox.received[0].body, "/password/set/")
    weak = choose_password(client, link, "short")
    assert weak.status_code == 200
    assert "не короче 10 символов" in weak.get_data(as_text=True)
    # The refused attempt did not spend the link.
    assert choose_password(client, link).status_code == 302


def test_a_deactivated_account_gets_no_link(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    user_id = auth.create_user(email="anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    link = link_in(mailbox.received[0].body, "/password/set/")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    ask_for_a_link(client, "anna@example.org")
    assert len(mailbox.received) == 1
    assert client.get(link).status_code == 410


def test_an_administrator_resets_the_same_way(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="admin@example.org", role=Role.ADMIN)
    ask_for_a_link(client, "admin@example.org")
    assert (
        choose_password(client, link_in(mailbox.received[0].body, "/password/set/")).status_code
        == 302
    )
    assert auth.login(email="admin@example.org", password=NEW_PASSWORD).status_code == 302


def test_links_for_one_account_are_limited(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="anna@example.org")
    for number in range(3):
        assert ask_for_a_link(client, "anna@example.org", f"10.0.0.{number}").status_code == 302
    limited = ask_for_a_link(client, "anna@example.org", "10.0.0.9")
    assert limited.status_code == 429
    assert "Слишком много запросов" in limited.get_data(as_text=True)
    assert len(mailbox.received) == 3
    with app.app_context():
        assert db.session.execute(select(func.count(PasswordLink.id))).scalar_one() == 3


def test_links_from_one_address_are_limited(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    app.config["PASSWORD_RESETS_PER_ADDRESS"] = "2 per hour"
    assert ask_for_a_link(client, "one@example.org").status_code == 302
    assert ask_for_a_link(client, "two@example.org").status_code == 302
    assert ask_for_a_link(client, "three@example.org").status_code == 429


def test_only_the_token_hash_is_stored(
    app: Flask, client: FlaskClient, auth: AuthActions, mailbox: Mailbox
) -> None:
    auth.create_user(email="anna@example.org")
    ask_for_a_link(client, "anna@example.org")
    token = link_in(mailbox.received[0].body, "/password/set/").rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.execute(select(PasswordLink.token_hash)).scalar_one()
        # The sent email's body, which held the link, is erased once it went out.
        body = db.session.execute(select(OutboxMessage.body)).scalar_one()
    assert token not in stored and len(stored) == 64
    assert body == ""

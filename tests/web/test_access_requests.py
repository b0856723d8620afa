"""A technopark's staff member asks for access, an administrator approves, a link sets the
password, and the new coordinator signs in; rejections say why. Mail goes over real SMTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, Mailbox, form_data, link_in
from sqlalchemy import select

from directory.domain.models import (
    AccessRequest,
    AccessRequestStatus,
    Organization,
    Role,
    Technopark,
    User,
)
from directory.extensions import db

ACCESS = "/technoparks/{slug}/access"
NEW_PASSWORD = "a long new password 2024"


@pytest.fixture
def listed(app: Flask, make_technopark: Callable[..., Technopark], auth: AuthActions) -> None:
    """A technopark with a website and a host with its own, and an administrator."""
    with app.app_context():
        host = Organization(slug="host", name="Политех", website="https://www.polytech.example")
        db.session.add(host)
        db.session.commit()
        host_id = host.id
    make_technopark(
        slug="kvantorium",
        name="Кванториум Тест",
        website="https://www.kvantorium.example.ru/",
        host_organization_id=host_id,
    )
    make_technopark(slug="second", name="Второй технопарк")
    auth.create_user(email="admin@example.org", name="Ирина", role=Role.ADMIN)


def ask_for_access(
    visitor: FlaskClient,
    slug: str = "kvantorium",
    email: str = "olga@kvantorium.example.ru",
    **fields: str,
):
    path = ACCESS.format(slug=slug)
    data = form_data(visitor.get(path).get_data(as_text=True), path)
    data.update(
        {
            "name": "Ольга Смирнова",
            "position": "методист",
            "email": email,
            "message": "Телефон приёмной: +7 495 000-00-00",
            **fields,
        }
    )
    return visitor.post(path, data=data)


def requests_stored(app: Flask) -> list[AccessRequest]:
    with app.app_context():
        found = list(db.session.execute(select(AccessRequest).order_by(AccessRequest.id)).scalars())
        db.session.expunge_all()
        return found


def account(app: Flask, email: str) -> User | None:
    with app.app_context():
        user = db.session.execute(select(User).filter_by(email=email)).scalar_one_or_none()
        if user is not None:
            slugs = [technopark.slug for technopark in user.technoparks]
            db.session.expunge(user)
            user.granted = slugs  # type: ignore[attr-defined]
        return user


def test_every_profile_links_to_a_post_form_with_an_email_input(app: Flask, listed: None) -> None:
    visitor = app.test_client()
    profile = visitor.get("/technoparks/kvantorium").get_data(as_text=True)
    assert 'href="/technoparks/kvantorium/access"' in profile
    assert "Я сотрудник этого технопарка" in profile
    page = visitor.get(ACCESS.format(slug="kvantorium")).get_data(as_text=True)
    assert '<form method="post" action="/technoparks/kvantorium/access"' in page
    fields = form_data(page, "/technoparks/kvantorium/access")
    assert {"name", "position", "email", "message", "csrf_token"} <= fields.keys()
    assert 'type="email"' in page


def test_request_approval_email_password_and_sign_in(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    visitor = app.test_client()
    sent = ask_for_access(visitor)
    assert sent.status_code == 302
    assert "Ваша заявка отправлена" in visitor.get(sent.headers["Location"]).get_data(as_text=True)
    [request] = requests_stored(app)
    assert request.status == AccessRequestStatus.OPEN
    [notice] = mailbox.to("admin@example.org")
    assert "Кванториум Тест" in notice.subject and "Ольга Смирнова" in notice.body
    assert f"/manage/access-requests#access-request-{request.id}" in notice.body

    auth.login(email="admin@example.org")
    listing = client.get("/manage/access-requests").get_data(as_text=True)
    assert "Ольга Смирнова" in listing and "методист" in listing
    assert "Адрес на домене сайта технопарка" in listing
    assert "заявка на доступ ждёт ответа" in client.get("/manage/").get_data(as_text=True)

    approved = auth.post(f"/manage/access-requests/{request.id}/approve")
    assert approved.status_code == 302
    user = account(app, "olga@kvantorium.example.ru")
    assert user is not None and user.role == Role.COORDINATOR and user.granted == ["kvantorium"]
    assert requests_stored(app)[0].status == AccessRequestStatus.APPROVED
    auth.logout()

    [welcome] = mailbox.to("olga@kvantorium.example.ru")
    assert "Кванториум Тест" in welcome.subject
    assert "48 часов" in welcome.body
    link = link_in(welcome.body, "/password/set/")
    # Nobody can sign in to the new account before its owner chooses a password.
    newcomer = app.test_client()
    assert (
        auth.login("olga@kvantorium.example.ru", NEW_PASSWORD, client=newcomer).status_code == 200
    )

    page = newcomer.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Выберите пароль" in page.get_data(as_text=True)
    form = form_data(page.get_data(as_text=True), link)
    form.update(new_password=NEW_PASSWORD, confirm_password=NEW_PASSWORD)
    chosen = newcomer.post(link, data=form)
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/login"

    signed_in = auth.login("olga@kvantorium.example.ru", NEW_PASSWORD, client=newcomer)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/manage/"
    workspace = newcomer.get("/manage/").get_data(as_text=True)
    assert "Кванториум Тест" in workspace and "Второй технопарк" not in workspace
    assert newcomer.get("/manage/technoparks/kvantorium/edit").status_code == 200
    # The link worked once.
    assert newcomer.get(link).status_code == 410


def test_approval_grants_the_technopark_to_an_existing_account(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    auth.create_user(email="olga@kvantorium.example.ru", name="Ольга", technoparks=["second"])
    ask_for_access(app.test_client())
    [request] = requests_stored(app)
    auth.login(email="admin@example.org")
    assert auth.post(f"/manage/access-requests/{request.id}/approve").status_code == 302
    user = account(app, "olga@kvantorium.example.ru")
    assert sorted(user.granted) == ["kvantorium", "second"]
    [told] = mailbox.to("olga@kvantorium.example.ru")
    assert "/password/set/" not in told.body and "/login" in told.body


def test_a_deactivated_account_is_not_brought_back_by_a_request(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    user_id = auth.create_user(email="olga@kvantorium.example.ru", name="Ольга")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    ask_for_access(app.test_client())
    [request] = requests_stored(app)
    auth.login(email="admin@example.org")
    auth.post(f"/manage/access-requests/{request.id}/approve")
    assert "отключена" in client.get("/manage/access-requests").get_data(as_text=True)
    assert requests_stored(app)[0].status == AccessRequestStatus.OPEN
    assert account(app, "olga@kvantorium.example.ru").granted == []
    assert mailbox.to("olga@kvantorium.example.ru") == []


def test_rejecting_emails_the_reason(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    ask_for_access(app.test_client(), email="someone@gmail.example")
    [request] = requests_stored(app)
    auth.login(email="admin@example.org")
    listing = client.get("/manage/access-requests").get_data(as_text=True)
    assert "Адрес не на домене сайта технопарка" in listing
    auth.post(f"/manage/access-requests/{request.id}/reject", {"reason": ""})
    assert requests_stored(app)[0].status == AccessRequestStatus.OPEN
    reason = "Технопарк не подтвердил, что вы у них работаете."
    assert (
        auth.post(f"/manage/access-requests/{request.id}/reject", {"reason": reason}).status_code
        == 302
    )
    stored = requests_stored(app)[0]
    assert stored.status == AccessRequestStatus.REJECTED and stored.resolution_note == reason
    [answer] = mailbox.to("someone@gmail.example")
    assert reason in answer.body
    assert account(app, "someone@gmail.example") is None


@pytest.mark.parametrize(
    ("email", "website", "host_website", "hint"),
    [
        ("olga@kvantorium.example.ru", "https://www.kvantorium.example.ru/", None, "технопарка"),
        ("olga@tula.kvantorium.example.ru", "https://kvantorium.example.ru", None, "технопарка"),
        ("olga@polytech.example", None, "https://www.polytech.example", "базовой организации"),
        ("olga@notkvantorium.example.ru", "https://kvantorium.example.ru", None, "не на домене"),
        ("olga@gmail.example", None, None, "не на домене"),
    ],
)
def test_the_domain_hint(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    make_technopark: Callable[..., Technopark],
    email: str,
    website: str | None,
    host_website: str | None,
    hint: str,
) -> None:
    with app.app_context():
        host = Organization(slug="host", name="Политех", website=host_website)
        db.session.add(host)
        db.session.commit()
        host_id = host.id
    make_technopark(slug="park", website=website, host_organization_id=host_id)
    auth.create_user(email="admin@example.org", name="Ирина", role=Role.ADMIN)
    ask_for_access(app.test_client(), slug="park", email=email)
    auth.login(email="admin@example.org")
    listing = client.get("/manage/access-requests").get_data(as_text=True)
    assert hint in listing


def test_the_same_person_asking_twice_makes_one_request(
    app: Flask, listed: None, mailbox: Mailbox
) -> None:
    visitor = app.test_client()
    ask_for_access(visitor)
    ask_for_access(visitor, email="OLGA@kvantorium.example.ru")
    assert len(requests_stored(app)) == 1
    assert len(mailbox.to("admin@example.org")) == 1


def test_the_honeypot_and_the_flood_limit(app: Flask, listed: None, mailbox: Mailbox) -> None:
    app.config["ACCESS_REQUESTS_PER_ADDRESS"] = "2 per hour"
    visitor = app.test_client()
    assert ask_for_access(visitor, homepage="spam").status_code == 302
    assert requests_stored(app) == [] and mailbox.received == []
    assert ask_for_access(visitor, email="a@example.org").status_code == 302
    assert ask_for_access(visitor, email="b@example.org").status_code == 429
    assert len(requests_stored(app)) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Введите ваше имя."),
        ({"position": " "}, "Введите вашу должность."),
        ({"email": ""}, "Введите рабочий адрес эл. почты."),
        ({"email": "olga"}, "Введите адрес электронной почты, например name@example.org."),
        ({"message": "ы" * 2001}, "Не больше 2000 символов."),
    ],
)
def test_bad_requests_get_a_clear_message(
    app: Flask, listed: None, fields: dict[str, str], message: str
) -> None:
    answer = ask_for_access(app.test_client(), **fields)
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    assert requests_stored(app) == []

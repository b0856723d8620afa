"""The data version: every write to public data raises it, so no cached page outlives a change."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import AuthActions, form_data

from directory import create_app
from directory.db.data_version import current_data_version
from directory.domain import operations
from directory.domain.models import Direction, NewsArticle, Organization, Role, Technopark, User
from directory.extensions import db

NEWS = {
    "url": "https://news.example/kvantorium",
    "title": "Открылся технопарк",
    "outlet": "Новости",
    "published_on": None,
    "summary": None,
    "language": "ru",
}


def version(app: Flask) -> int:
    with app.app_context():
        return current_data_version()


def create(admin: User) -> None:
    operations.create_technopark({"name": "Новый технопарк", "city": "Тула"}, admin)


def update(admin: User) -> None:
    technopark = db.session.execute(db.select(Technopark)).scalars().first()
    operations.update_technopark(technopark, {"name": "Другое имя"}, admin)


def update_directions_only(admin: User) -> None:
    technopark = db.session.execute(db.select(Technopark)).scalars().first()
    robotics = db.session.execute(db.select(Direction)).scalar_one()
    operations.update_technopark(technopark, {"directions": [robotics]}, admin)


def publish(admin: User) -> None:
    draft = db.session.execute(db.select(Technopark).filter_by(slug="draft")).scalar_one()
    operations.publish_technopark(draft, admin)


def confirm(admin: User) -> None:
    technopark = db.session.execute(db.select(Technopark)).scalars().first()
    operations.confirm_technopark(technopark, admin)


def add_news(admin: User) -> None:
    technopark = db.session.execute(db.select(Technopark)).scalars().first()
    operations.add_news_article(NEWS, [technopark], admin)


def edit_news(admin: User) -> None:
    article = db.session.execute(db.select(NewsArticle)).scalar_one()
    operations.update_news_article(article, {**NEWS, "title": "Новый заголовок"}, admin)


def link_news(admin: User) -> None:
    article = db.session.execute(db.select(NewsArticle)).scalar_one()
    draft = db.session.execute(db.select(Technopark).filter_by(slug="draft")).scalar_one()
    operations.link_news(article, [draft], admin)


def unlink_news(admin: User) -> None:
    article = db.session.execute(db.select(NewsArticle)).scalar_one()
    operations.unlink_news(article, list(article.technoparks), admin)


def rename_host(admin: User) -> None:
    host = db.session.execute(db.select(Organization)).scalar_one()
    host.name = "Технополис «Москва», корпус 2"


def delete_technopark(admin: User) -> None:
    db.session.delete(db.session.execute(db.select(Technopark)).scalars().first())


@pytest.fixture
def world(app: Flask, make_technopark: Callable[..., Technopark]) -> None:
    """A published technopark, a draft, a direction, a host and an admin."""
    make_technopark(slug="kvantorium", name="Кванториум")
    make_technopark(slug="draft", name="Черновик", published=False)
    with app.app_context():
        from directory.domain.accounts import create_user

        create_user("admin@example.org", "Админ", Role.ADMIN, "correct horse battery staple")
        db.session.add(Direction(slug="robotics", name="Робототехника", name_en="Robotics"))
        db.session.add(Organization(slug="technopolis", name="Технополис «Москва»"))
        db.session.commit()


@pytest.mark.parametrize(
    "write",
    [
        create,
        update,
        update_directions_only,
        publish,
        confirm,
        add_news,
        rename_host,
        delete_technopark,
    ],
)
def test_every_write_raises_the_version_in_its_own_transaction(
    app: Flask, world: None, write: Callable[[User], None]
) -> None:
    before = version(app)
    with app.app_context():
        admin = db.session.execute(db.select(User)).scalar_one()
        write(admin)
        db.session.rollback()
    assert version(app) == before, "a rolled-back write left the version raised"
    with app.app_context():
        admin = db.session.execute(db.select(User)).scalar_one()
        write(admin)
        db.session.commit()
    assert version(app) > before


@pytest.mark.parametrize("write", [edit_news, link_news, unlink_news])
def test_news_writes_raise_the_version(
    app: Flask, world: None, write: Callable[[User], None]
) -> None:
    with app.app_context():
        admin = db.session.execute(db.select(User)).scalar_one()
        add_news(admin)
        db.session.commit()
    before = version(app)
    with app.app_context():
        admin = db.session.execute(db.select(User)).scalar_one()
        write(admin)
        db.session.commit()
    assert version(app) > before


def test_account_changes_leave_the_version_alone(app: Flask, world: None) -> None:
    before = version(app)
    with app.app_context():
        admin = db.session.execute(db.select(User)).scalar_one()
        operations.change_password(admin, "another long passphrase here")
        db.session.commit()
    assert version(app) == before


def test_the_seed_raises_the_version_only_when_it_changes_something(
    app: Flask, runner: FlaskCliRunner
) -> None:
    before = version(app)
    assert runner.invoke(args=["seed"]).exit_code == 0
    seeded = version(app)
    assert seeded > before
    assert runner.invoke(args=["seed"]).exit_code == 0
    assert version(app) == seeded


PUBLIC_PATHS = ("/", "/technoparks/kvantorium", "/map/markers.json", "/api/technoparks")


def shown(client: FlaskClient, path: str) -> str:
    """What a page or a JSON document says, with JSON's escaped letters read."""
    response = client.get(path)
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


def test_a_coordinators_edit_reaches_the_cached_pages_at_once(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    make_technopark: Callable[..., Technopark],
) -> None:
    make_technopark(slug="kvantorium", name="Кванториум Тест", latitude=55.7, longitude=37.6)
    visitor = app.test_client()
    for path in PUBLIC_PATHS:
        assert "Кванториум Тест" in shown(visitor, path)
    auth.create_user(technoparks=["kvantorium"])
    auth.login()
    path = "/manage/technoparks/kvantorium/edit"
    data = form_data(client.get(path).get_data(as_text=True), path)
    response = client.post(path, data={**data, "name": "Кванториум Новый"})
    assert response.status_code == 302
    for path in PUBLIC_PATHS:
        page = shown(visitor, path)
        assert "Кванториум Новый" in page and "Кванториум Тест" not in page, path


def test_another_server_sees_the_change_too(
    app: Flask, make_technopark: Callable[..., Technopark], tmp_path: Path
) -> None:
    """Two app processes on one database: a write through one empties the other's caches."""
    make_technopark(slug="kvantorium", name="Кванториум Тест")
    other = create_app({**app.config, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]})
    visitor = other.test_client()
    assert "Кванториум Тест" in visitor.get("/").get_data(as_text=True)
    with app.app_context():
        technopark = db.session.execute(db.select(Technopark)).scalar_one()
        technopark.name = "Кванториум Другой"
        db.session.commit()
    assert "Кванториум Другой" in visitor.get("/").get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()

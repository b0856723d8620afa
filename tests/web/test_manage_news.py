"""Adding news articles and linking them to technoparks from the workspace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data
from sqlalchemy import select

from directory.domain import operations
from directory.domain.models import AuditEntry, NewsArticle, Technopark
from directory.extensions import db

ARTICLE = {
    "url": "https://news.example/2016/09/29/kvantorium",
    "title": "Открылся детский технопарк",
    "outlet": "Новости района",
    "published_on": "2016-09-29",
    "summary": "Технопарк принял первых школьников.",
    "language": "ru",
}


@pytest.fixture
def coordinator(auth: AuthActions, make_technopark: Callable[..., Technopark]) -> AuthActions:
    make_technopark(slug="mine", name="Мой технопарк")
    make_technopark(slug="also-mine", name="Второй мой")
    make_technopark(slug="theirs", name="Чужой технопарк")
    auth.create_user(email="other@example.org", name="Борис", technoparks=["theirs"])
    auth.create_user(email="anna@example.org", name="Анна", technoparks=["mine", "also-mine"])
    auth.login(email="anna@example.org")
    return auth


def articles(app: Flask) -> list[tuple[str, str | None, list[str]]]:
    with app.app_context():
        return [
            (article.url, article.title, sorted(tp.slug for tp in article.technoparks))
            for article in db.session.execute(select(NewsArticle).order_by(NewsArticle.id))
            .scalars()
            .all()
        ]


def test_an_article_is_added_and_shown_on_the_profile(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    response = coordinator.post("/manage/news/new", {**ARTICLE, "technoparks": ["mine"]})
    assert response.status_code == 302
    assert articles(app) == [(ARTICLE["url"], ARTICLE["title"], ["mine"])]
    with app.app_context():
        article = db.session.execute(select(NewsArticle)).scalar_one()
        assert article.published_on == date(2016, 9, 29)
        assert article.outlet == "Новости района"
        assert response.headers["Location"] == f"/manage/news/{article.id}/edit"
        link = db.session.execute(
            select(AuditEntry).filter_by(entity_type="technopark", action="link_news")
        ).scalar_one()
        assert (link.field, link.new_value, link.user.name) == ("news", ARTICLE["url"], "Анна")
    profile = client.get("/technoparks/mine").get_data(as_text=True)
    assert f'href="{ARTICLE["url"]}"' in profile
    assert "Открылся детский технопарк" in profile


def test_the_form_preselects_the_technopark_it_was_opened_from(
    client: FlaskClient, coordinator: AuthActions
) -> None:
    page = client.get("/manage/news/new?technopark=also-mine").get_data(as_text=True)
    data = form_data(page, "/manage/news/new")
    assert data["technoparks"] == "also-mine"


def test_a_stored_url_links_the_existing_article(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    with app.app_context():
        theirs = db.session.execute(select(Technopark).filter_by(slug="theirs")).scalar_one()
        db.session.add(
            NewsArticle(url=ARTICLE["url"], title="Исходный заголовок", technoparks=[theirs])
        )
        db.session.commit()
    response = coordinator.post(
        "/manage/news/new",
        {
            **ARTICLE,
            "url": "  " + ARTICLE["url"] + " ",
            "title": "Другой заголовок",
            "technoparks": ["mine"],
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "уже сохранена под заголовком «Исходный заголовок»" in response.get_data(as_text=True)
    assert articles(app) == [(ARTICLE["url"], "Исходный заголовок", ["mine", "theirs"])]


def test_an_article_needs_a_technopark(app: Flask, coordinator: AuthActions) -> None:
    response = coordinator.post("/manage/news/new", ARTICLE)
    assert response.status_code == 200
    assert "Выберите хотя бы один технопарк." in response.get_data(as_text=True)
    assert articles(app) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param({"url": "javascript:alert(1)"}, "url", "http:// или https://", id="js-url"),
        pytest.param(
            {"url": "data:text/html,<script>alert(1)</script>"},
            "url",
            "http:// или https://",
            id="data-url",
        ),
        pytest.param(
            {"url": "~news.example/article"}, "url", "http:// или https://", id="not-a-domain"
        ),
        pytest.param({"url": ""}, "url", "Укажите веб-адрес статьи.", id="url-required"),
        pytest.param({"title": " "}, "title", "Укажите заголовок статьи.", id="title-required"),
        pytest.param(
            {"published_on": (date.today() + timedelta(days=2)).isoformat()},
            "published_on",
            "Эта дата ещё не наступила.",
            id="future-date",
        ),
        pytest.param(
            {"language": "klingon"},
            "language",
            "Выберите один из предложенных вариантов.",
            id="unknown-language",
        ),
    ],
)
def test_each_news_rule_explains_itself(
    app: Flask, coordinator: AuthActions, changes: dict[str, Any], field: str, message: str
) -> None:
    response = coordinator.post("/manage/news/new", {**ARTICLE, "technoparks": "mine", **changes})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page[page.index(f'id="{field}-error"') :][:300]
    assert articles(app) == []


def test_editing_keeps_other_coordinators_links(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    with app.app_context():
        technoparks = {tp.slug: tp for tp in db.session.execute(select(Technopark)).scalars()}
        article = NewsArticle(
            url=ARTICLE["url"],
            title="Старый",
            technoparks=[technoparks["mine"], technoparks["theirs"]],
        )
        db.session.add(article)
        db.session.commit()
        article_id = article.id
    path = f"/manage/news/{article_id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Чужой технопарк" in page  # shown as linked elsewhere, not as a checkbox
    assert 'value="theirs"' not in page
    data = form_data(page, path)
    data.update({"title": "Новый заголовок", "technoparks": ["also-mine"]})
    assert client.post(path, data=data).status_code == 302
    assert articles(app) == [(ARTICLE["url"], "Новый заголовок", ["also-mine", "theirs"])]


def test_an_edit_may_not_take_another_articles_url(
    app: Flask, client: FlaskClient, coordinator: AuthActions
) -> None:
    for url in ("https://news.example/a", "https://news.example/b"):
        coordinator.post("/manage/news/new", {**ARTICLE, "url": url, "technoparks": "mine"})
    with app.app_context():
        second = db.session.execute(
            select(NewsArticle).filter_by(url="https://news.example/b")
        ).scalar_one()
    path = f"/manage/news/{second.id}/edit"
    data = {
        **form_data(client.get(path).get_data(as_text=True), path),
        "url": "https://news.example/a",
    }
    response = client.post(path, data=data)
    assert response.status_code == 200
    assert "Этот адрес уже у другой сохранённой статьи." in response.get_data(as_text=True)
    assert [row[0] for row in articles(app)] == ["https://news.example/a", "https://news.example/b"]


def test_a_url_stored_at_the_same_moment_is_linked_on_retry(
    app: Flask, coordinator: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        db.session.add(NewsArticle(url=ARTICLE["url"], title="Сохранена другим процессом"))
        db.session.commit()
    real_lookup = operations.news_article_by_url
    lookups: list[str] = []

    def racing_lookup(url: str) -> NewsArticle | None:
        # The first look-up ran before the other process committed.
        lookups.append(url)
        return None if len(lookups) == 1 else real_lookup(url)

    monkeypatch.setattr(operations, "news_article_by_url", racing_lookup)
    response = coordinator.post("/manage/news/new", {**ARTICLE, "technoparks": "mine"})
    assert response.status_code == 302
    assert len(lookups) == 2
    assert articles(app) == [(ARTICLE["url"], "Сохранена другим процессом", ["mine"])]

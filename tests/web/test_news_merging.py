"""Two people edit one news article: fields merge three ways, links change only where ticked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data
from sqlalchemy import select

from directory.domain.models import NewsArticle, Technopark
from directory.extensions import db

URL = "https://news.example/2017/10/17/kvantorium"


@pytest.fixture
def pair(
    app: Flask, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> tuple[FlaskClient, FlaskClient, str]:
    """Анна and Борис, both coordinating two technoparks, and an article linked to the first."""
    make_technopark(slug="first", name="Первый")
    make_technopark(slug="second", name="Второй")
    with app.app_context():
        first = db.session.execute(select(Technopark).filter_by(slug="first")).scalar_one()
        article = NewsArticle(
            url=URL, title="Открылся технопарк", summary="Первые ученики.", technoparks=[first]
        )
        db.session.add(article)
        db.session.commit()
        path = f"/manage/news/{article.id}/edit"
    clients = []
    for email, name in (("anna@example.org", "Анна"), ("boris@example.org", "Борис")):
        auth.create_user(email=email, name=name, technoparks=["first", "second"])
        client = app.test_client()
        assert auth.login(email=email, client=client).status_code == 302
        clients.append(client)
    return clients[0], clients[1], path


def opened(client: FlaskClient, path: str) -> dict[str, Any]:
    return form_data(client.get(path).get_data(as_text=True), path)


def stored(app: Flask) -> tuple[str | None, str | None, str | None, list[str]]:
    with app.app_context():
        article = db.session.execute(select(NewsArticle)).scalar_one()
        links = sorted(technopark.slug for technopark in article.technoparks)
        return article.title, article.summary, article.outlet, links


def test_changes_to_different_fields_merge_with_a_note(app: Flask, pair) -> None:
    anna, boris, path = pair
    annas, boris_form = opened(anna, path), opened(boris, path)
    assert anna.post(path, data={**annas, "title": "Технопарк открыт"}).status_code == 302
    response = boris.post(path, data={**boris_form, "outlet": "Новости"}, follow_redirects=True)
    assert response.status_code == 200
    note = "Сохранено вместе с 1 изменением, которое сделал(а) Анна"
    assert note in response.get_data(as_text=True)
    assert stored(app) == ("Технопарк открыт", "Первые ученики.", "Новости", ["first"])


def test_a_clash_shows_only_the_clashing_field_and_writes_nothing(app: Flask, pair) -> None:
    anna, boris, path = pair
    annas, boris_form = opened(anna, path), opened(boris, path)
    assert anna.post(path, data={**annas, "title": "Версия Анны"}).status_code == 302
    response = boris.post(path, data={**boris_form, "title": "Версия Бориса", "outlet": "Новости"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'name="keep-title"' in page
    assert 'name="keep-outlet"' not in page
    assert "Сохранил(а) Анна" in page
    assert stored(app) == ("Версия Анны", "Первые ученики.", None, ["first"])
    # Saved again from the merged form, keeping Анна's title: Борис's outlet is written.
    again = form_data(page, path)
    response = boris.post(path, data={**again, "keep-title": "theirs"})
    assert response.status_code == 302
    assert stored(app) == ("Версия Анны", "Первые ученики.", "Новости", ["first"])


def test_choosing_mine_on_the_clash_page_saves_mine(app: Flask, pair) -> None:
    anna, boris, path = pair
    annas, boris_form = opened(anna, path), opened(boris, path)
    anna.post(path, data={**annas, "title": "Версия Анны"})
    page = boris.post(path, data={**boris_form, "title": "Версия Бориса"}).get_data(as_text=True)
    response = boris.post(path, data={**form_data(page, path), "keep-title": "mine"})
    assert response.status_code == 302
    assert stored(app)[0] == "Версия Бориса"


def test_a_link_made_meanwhile_survives_a_save_from_an_older_form(app: Flask, pair) -> None:
    anna, boris, path = pair
    annas, boris_form = opened(anna, path), opened(boris, path)
    assert annas["technoparks"] == "first"
    # Борис links the article to the second technopark too.
    assert boris.post(path, data={**boris_form, "technoparks": ["first", "second"]}).status_code
    assert stored(app)[3] == ["first", "second"]
    # Анна, from her older form, only corrects the summary: the new link stays.
    assert anna.post(path, data={**annas, "summary": "Первые ученики пришли."}).status_code == 302
    assert stored(app) == (
        "Открылся технопарк",
        "Первые ученики пришли.",
        None,
        ["first", "second"],
    )


def test_a_link_removed_in_an_older_form_is_removed_and_others_kept(app: Flask, pair) -> None:
    anna, boris, path = pair
    annas, boris_form = opened(anna, path), opened(boris, path)
    boris.post(path, data={**boris_form, "technoparks": ["first", "second"]})
    # Анна unticks the first technopark in the form she opened before Борис's link.
    response = anna.post(path, data={**annas, "technoparks": []})
    assert response.status_code == 302
    assert stored(app)[3] == ["second"]


def test_the_history_records_each_article_save_with_its_version(app: Flask, pair) -> None:
    anna, boris, path = pair
    anna.post(path, data={**opened(anna, path), "title": "Один"})
    anna.post(path, data={**opened(anna, path), "title": "Два"})
    with app.app_context():
        article = db.session.execute(select(NewsArticle)).scalar_one()
        assert article.version == 3
    boris_form = opened(boris, path)
    assert boris_form["version"] == "3"

"""Limits on every input, and forms that keep what people type."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data
from sqlalchemy import func, select

from directory.domain.models import AuditEntry, NewsArticle, Technopark
from directory.extensions import db

SLUG = "kvantorium-test"
EDIT = f"/manage/technoparks/{SLUG}/edit"


@pytest.fixture
def anna(auth: AuthActions, make_technopark: Callable[..., Technopark]) -> AuthActions:
    make_technopark(slug=SLUG, name="Кванториум Тест")
    auth.create_user(email="anna@example.org", name="Анна Петрова", technoparks=[SLUG])
    auth.login(email="anna@example.org")
    return auth


def open_form(client: FlaskClient) -> dict[str, Any]:
    return form_data(client.get(EDIT).get_data(as_text=True), EDIT)


def stored(app: Flask) -> Technopark:
    with app.app_context():
        technopark = db.session.execute(select(Technopark)).scalar_one()
        db.session.expunge(technopark)
        return technopark


@pytest.mark.parametrize(
    ("field", "limit"), [("description", 5000), ("sources", 5000), ("location_note", 1000)]
)
def test_long_texts_stop_at_their_limit(
    app: Flask, client: FlaskClient, anna: AuthActions, field: str, limit: int
) -> None:
    page = client.get(EDIT).get_data(as_text=True)
    assert re.search(rf'<textarea[^>]*id="{field}"[^>]*maxlength="{limit}"', page)
    response = client.post(EDIT, data={**open_form(client), field: "я" * (limit + 1)})
    assert response.status_code == 200
    assert f"Не больше {limit} символов." in response.get_data(as_text=True)
    assert stored(app).version == 1
    assert client.post(EDIT, data={**open_form(client), field: "я" * limit}).status_code == 302
    assert len(getattr(stored(app), field)) == limit


def test_a_news_summary_holds_two_thousand_characters(
    app: Flask, client: FlaskClient, anna: AuthActions
) -> None:
    article = {
        "url": "https://news.example/long",
        "title": "Длинная статья",
        "language": "ru",
        "technoparks": SLUG,
        "summary": "с" * 2001,
    }
    response = anna.post("/manage/news/new", article)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(NewsArticle)).scalar_one() == 0


@pytest.mark.parametrize("megabytes", [3, 30])
def test_a_body_over_two_megabytes_is_refused_before_it_is_read(
    app: Flask, client: FlaskClient, anna: AuthActions, megabytes: int
) -> None:
    data = {**open_form(client), "description": "я" * (megabytes * 1024 * 1024 // 2)}
    response = client.post(EDIT, data=data)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Слишком много для отправки" in page and "не больше 2 МБ" in page
    assert stored(app).description is None


def test_a_fractional_age_gets_one_message(
    app: Flask, client: FlaskClient, anna: AuthActions
) -> None:
    page = client.post(EDIT, data={**open_form(client), "age_min": "12.5"}).get_data(as_text=True)
    errors = page[page.index('id="age_min-error"') :]
    errors = errors[: errors.index("</ul>")]
    assert errors.count("<li>") == 1
    assert "Введите целое число лет" in errors


def test_the_error_summary_links_each_error_to_its_field(
    client: FlaskClient, anna: AuthActions
) -> None:
    page = client.post(
        EDIT, data={**open_form(client), "city": "", "website": "ftp://example.org"}
    ).get_data(as_text=True)
    summary = page[page.index('id="form-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert "data-focus-on-load" in summary and 'tabindex="-1"' in summary
    assert re.search(r'<a href="#city">Город: Укажите город\.</a>', summary)
    assert '<a href="#website">' in summary


def test_confirming_keeps_what_was_typed_but_not_saved(
    app: Flask, client: FlaskClient, anna: AuthActions
) -> None:
    data = {**open_form(client), "website": "https://kvantorium.example", "confirm": "yes"}
    assert client.post(EDIT, data=data).status_code == 302
    technopark = stored(app)
    assert technopark.website == "https://kvantorium.example"
    assert technopark.verified_at is not None


def test_the_history_is_in_moscow_time_and_cuts_long_values(
    app: Flask, client: FlaskClient, anna: AuthActions
) -> None:
    client.post(EDIT, data={**open_form(client), "description": "д" * 4000})
    history = client.get(f"/manage/technoparks/{SLUG}/history").get_data(as_text=True)
    assert "по Москве" in history and "UTC" not in history
    assert "д" * 4000 not in history
    link = re.search(
        r'<a href="(/manage/technoparks/[^"]+/history/\d+)">весь текст \(4000', history
    )
    assert link is not None
    assert "д" * 4000 in client.get(link.group(1)).get_data(as_text=True)


def test_the_history_comes_a_page_at_a_time(
    app: Flask, client: FlaskClient, anna: AuthActions
) -> None:
    for number in range(25):
        client.post(EDIT, data={**open_form(client), "district": f"Район {number}"})
    first = client.get(f"/manage/technoparks/{SLUG}/history").get_data(as_text=True)
    second = client.get(f"/manage/technoparks/{SLUG}/history?page=2").get_data(as_text=True)
    assert first.count('<li class="history-event') == 20
    assert second.count('<li class="history-event') == 5
    assert "Район 24" in first and "Район 24" not in second
    assert "Страница 1 из 2" in first
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 25


def test_the_form_warns_before_losing_changes(client: FlaskClient, anna: AuthActions) -> None:
    page = client.get(EDIT).get_data(as_text=True)
    assert re.search(r'<form [^>]*id="technopark-form"[^>]*data-warn-unsaved', page)
    assert "/static/js/forms.js" in page

"""Hypothesis on the forms: any text in any field never answers 500 or touches other records.

The sign-in form, the technopark edit form and the news form get arbitrary Unicode (control
characters, long strings, numbers where text goes and text where numbers go) in every field,
through real posts with a valid CSRF token. Every answer must be a page (200, a redirect, a
conflict, a rate limit), and every row the post was not about must stay as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, form_data, record_figure
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import MetaData, select

from directory.domain.models import Role, Technopark
from directory.extensions import db

EXAMPLES = 150
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

pytestmark = pytest.mark.fuzz
# Any Unicode a form can carry (lone surrogates cannot be encoded as UTF-8 by any client).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
LONG_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=250, max_size=700)
FIELD_VALUE = st.one_of(
    ANY_TEXT,
    LONG_TEXT,
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "2016-09-29", "2017-12", "open", "building", "robotics", "ru"]),
)
SENT: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def report_figures() -> Iterator[None]:
    """After the module: how many fuzzed posts each form got."""
    yield
    if SENT:
        record_figure(
            "form fuzzing (hypothesis): "
            + ", ".join(f"{form} {count}" for form, count in sorted(SENT.items()))
            + f" = {sum(SENT.values())} fuzzed posts, 0 answered 500, 0 other records changed"
        )


def everything_but(app: Flask, skip: Callable[[str, dict[str, Any]], bool]) -> dict[str, list]:
    """Every row of every table, except the rows `skip(table, row)` is true for."""
    with app.app_context():
        metadata = MetaData()
        metadata.reflect(db.engine)
        found = {}
        for table in metadata.sorted_tables:
            if table.name == "data_version" or table.name.startswith("technopark_fts"):
                # A counter every accepted write raises, and SQLite's text index derived
                # from the technopark rows: neither is anyone's record.
                continue
            rows = [row._asdict() for row in db.session.execute(select(table))]
            found[table.name] = sorted(
                (repr(sorted(row.items())) for row in rows if not skip(table.name, row)),
            )
        return found


def fuzzed_form(
    draw: st.DrawFn, fields: dict[str, Any], keep: tuple[str, ...] = ("csrf_token",)
) -> dict[str, Any]:
    """The form's own values with any of its fields (or all) replaced by arbitrary ones."""
    data = dict(fields)
    for name in fields:
        if name in keep:
            continue
        if draw(st.booleans()):
            data[name] = draw(st.one_of(FIELD_VALUE, st.lists(FIELD_VALUE, max_size=3)))
    return data


def test_sign_in_form_never_fails(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.create_user()
    # Higher limits here, so the fuzzed posts reach the form instead of the 429 page.
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = app.config["LOGIN_FAILURES_PER_ADDRESS"] = (
        "100000 per minute"
    )
    before = everything_but(app, lambda table, row: False)
    page = client.get("/login").get_data(as_text=True)
    fields = form_data(page, "/login")

    @FUZZ_SETTINGS
    @given(st.data())
    def never_fails(data: st.DataObject) -> None:
        posted = fuzzed_form(data.draw, fields)
        response = client.post("/login", data=posted)
        SENT["sign-in"] = SENT.get("sign-in", 0) + 1
        assert response.status_code in (200, 302, 400, 429), (posted, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/")
            client.post("/logout", data={"csrf_token": fields["csrf_token"]})

    never_fails()
    assert everything_but(app, lambda table, row: False) == before


def test_technopark_form_never_fails(
    app: Flask, client: FlaskClient, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> None:
    target = make_technopark(slug="kvantorium-fuzz", name="Кванториум", city="Тула")
    make_technopark(slug="neighbour", name="Соседний технопарк", city="Тула", address="ул. Мира, 1")
    auth.create_user(technoparks=["kvantorium-fuzz"])
    auth.login()
    edit = "/manage/technoparks/kvantorium-fuzz/edit"

    def about_target(table: str, row: dict[str, Any]) -> bool:
        return (
            (table == "technopark" and row["id"] == target.id)
            or (table == "technopark_direction" and row["technopark_id"] == target.id)
            or table == "audit_entry"
        )

    before = everything_but(app, about_target)
    statuses: dict[int, int] = {}

    @FUZZ_SETTINGS
    @given(st.data())
    def never_fails(data: st.DataObject) -> None:
        fields = form_data(client.get(edit).get_data(as_text=True), edit)
        posted = fuzzed_form(data.draw, fields)
        response = client.post(edit, data=posted)
        SENT["technopark"] = SENT.get("technopark", 0) + 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code in (200, 302, 409), (posted, response.status_code)

    never_fails()
    assert everything_but(app, about_target) == before
    assert statuses.get(200), "no fuzzed post was refused with a form error"


def test_news_form_never_fails(
    app: Flask, client: FlaskClient, auth: AuthActions, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="kvantorium-news", name="Кванториум", city="Тула")
    make_technopark(slug="other", name="Чужой технопарк", city="Тула")
    auth.create_user(role=Role.ADMIN)
    auth.login()
    created = auth.post(
        "/manage/news/new",
        {
            "url": "https://example.org/a",
            "title": "Открытие",
            "language": "ru",
            "technoparks": ["kvantorium-news"],
        },
    )
    assert created.status_code == 302
    other = auth.post(
        "/manage/news/new",
        {
            "url": "https://example.org/b",
            "title": "Другая",
            "language": "ru",
            "technoparks": ["other"],
        },
    )
    assert other.status_code == 302
    edit = created.headers["Location"]
    article_id = int(edit.rstrip("/").split("/")[-2])

    def about_article(table: str, row: dict[str, Any]) -> bool:
        return (
            (table == "news_article" and row["id"] == article_id)
            or (table == "technopark_news" and row["news_article_id"] == article_id)
            or table == "audit_entry"
        )

    before = everything_but(app, about_article)

    @FUZZ_SETTINGS
    @given(st.data())
    def never_fails(data: st.DataObject) -> None:
        fields = form_data(client.get(edit).get_data(as_text=True), edit)
        posted = fuzzed_form(data.draw, fields)
        response = client.post(edit, data=posted)
        SENT["news"] = SENT.get("news", 0) + 1
        assert response.status_code in (200, 302), (posted, response.status_code)

    never_fails()
    assert everything_but(app, about_article) == before

"""In Chromium: two coordinators at once, the clash page, and a form that asks before leaving."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from helpers import GOOD_PASSWORD, AuthActions, served
from sqlalchemy import select

from directory.domain.models import Technopark
from directory.extensions import db

pytestmark = pytest.mark.browser

SLUG = "kvantorium-together"


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    with served(app) as url:
        yield url


@pytest.fixture
def two_coordinators(auth: AuthActions, make_technopark: Callable[..., Technopark]) -> None:
    make_technopark(slug=SLUG, name="Кванториум вдвоём", phone="+7 (495) 000-00-00")
    for email, name in (("anna@example.org", "Анна"), ("boris@example.org", "Борис")):
        auth.create_user(email=email, name=name, technoparks=[SLUG])


def signed_in_page(browser, live_server: str, email: str):
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/login")
    page.get_by_label("Эл. почта").fill(email)
    page.get_by_label("Пароль").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(live_server + "/manage/")
    return page


def stored(app: Flask) -> Technopark:
    with app.app_context():
        technopark = db.session.execute(select(Technopark)).scalar_one()
        db.session.expunge(technopark)
        return technopark


def test_two_tabs_a_clash_and_the_colleagues_work_kept(
    app: Flask, browser, live_server: str, two_coordinators: None
) -> None:
    edit = f"{live_server}/manage/technoparks/{SLUG}/edit"
    boris = signed_in_page(browser, live_server, "boris@example.org")
    anna = signed_in_page(browser, live_server, "anna@example.org")
    try:
        boris.goto(edit)
        anna.goto(edit)
        anna.get_by_label("Адрес", exact=True).fill("ул. Анны, 1")
        anna.get_by_label("Телефон").fill("+7 (495) 111-11-11")
        anna.get_by_role("button", name="Сохранить изменения").click()
        anna.wait_for_url(edit)

        boris.get_by_label("Адрес", exact=True).fill("ул. Бориса, 2")
        boris.get_by_label("Район").fill("Печатники")
        boris.get_by_role("button", name="Сохранить изменения").click()
        clash = boris.locator("section.conflict")
        clash.wait_for()
        # The clash takes focus, names the one field both changed, and who saved theirs.
        assert boris.evaluate("document.activeElement.classList.contains('conflict')")
        assert boris.locator("fieldset.clash").count() == 1
        assert "Адрес" in clash.inner_text() and "Сохранил(а) Анна" in clash.inner_text()
        # Anna's phone is already in Boris's form; his district is still there.
        assert boris.get_by_label("Телефон").input_value() == "+7 (495) 111-11-11"
        assert boris.get_by_label("Район").input_value() == "Печатники"

        boris.get_by_label("Сохранил(а) Анна", exact=False).check()
        boris.get_by_role("button", name="Сохранить изменения").click()
        boris.wait_for_url(edit)
        assert "Сохранено" in boris.locator(".flash").first.inner_text()
    finally:
        anna.context.close()
        boris.context.close()
    technopark = stored(app)
    assert (technopark.address, technopark.phone, technopark.district) == (
        "ул. Анны, 1",
        "+7 (495) 111-11-11",
        "Печатники",
    )


def test_leaving_a_changed_form_asks_first_but_saving_does_not(
    app: Flask, browser, live_server: str, two_coordinators: None
) -> None:
    page = signed_in_page(browser, live_server, "anna@example.org")
    dialogs: list[str] = []

    def answer(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    try:
        edit = f"{live_server}/manage/technoparks/{SLUG}/edit"
        page.goto(edit)
        page.get_by_label("Район").fill("Войковский")
        # Chromium shows the prompt only after the person has used the page.
        page.get_by_label("Район").click()
        page.evaluate("window.location.href = '/manage/'")
        page.wait_for_timeout(500)
        assert dialogs == ["beforeunload"]
        assert page.url == edit
        assert page.get_by_label("Район").input_value() == "Войковский"

        page.get_by_role("button", name="Сохранить изменения").click()
        page.wait_for_url(edit)
        page.goto(live_server + "/manage/")
        assert dialogs == ["beforeunload"]
    finally:
        page.context.close()
    assert stored(app).district == "Войковский"

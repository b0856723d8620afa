"""In Chromium on a phone: a parent reports a wrong phone from the profile in a few taps."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from helpers import AuthActions, Mailbox, record_figure, served
from sqlalchemy import select

from directory.domain.models import CorrectionReport, Technopark
from directory.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app with only what the test makes, served for the browser."""
    with served(app) as url:
        yield url


@pytest.fixture
def phone_page(browser: Any, live_server: str) -> Iterator[tuple[Any, list[str]]]:
    """A Chromium page at a phone's size that records errors and refuses other sites."""
    context = browser.new_context(
        locale="ru-RU", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    context.add_init_script(
        'document.addEventListener("securitypolicyviolation", (event) => '
        'console.error("CSP violation: " + event.violatedDirective));'
    )
    problems: list[str] = []

    def keep_local(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", keep_local)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    yield page, problems
    context.close()


def test_a_parent_reports_a_wrong_phone_from_the_profile(
    app: Flask,
    live_server: str,
    phone_page: tuple[Any, list[str]],
    auth: AuthActions,
    make_technopark: Callable[..., Technopark],
    mailbox: Mailbox,
) -> None:
    make_technopark(slug="kvantorium", name="Кванториум на телефоне", phone="+7 (495) 111-11-11")
    auth.create_user(email="anna@example.org", name="Анна", technoparks=["kvantorium"])
    page, problems = phone_page

    started = time.perf_counter()
    page.goto(live_server + "/technoparks/kvantorium")
    # Reading the profile starts no session, so the page stays cached for everyone.
    assert [cookie["name"] for cookie in page.context.cookies()] == []
    page.get_by_text("Сообщить об ошибке").click()
    page.get_by_label("Что указано неверно?").select_option("phone")
    what_is_right = page.get_by_label("Как правильно?")
    what_is_right.fill("+7 (495) 222-22-22, так написано на сайте технопарка")
    page.get_by_label("Ваша эл. почта, если хотите получить ответ (необязательно)").fill(
        "parent@example.org"
    )
    # Everything fits the phone's width: nothing to scroll sideways to.
    box = what_is_right.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # The honeypot is not where a person could tap it.
    trap = page.locator("#homepage").bounding_box()
    assert trap is None or trap["x"] + trap["width"] < 0

    page.get_by_role("button", name="Отправить сообщение").click()
    page.wait_for_url("**/technoparks/kvantorium/report/thanks")
    assert page.get_by_role("heading", name="Спасибо!").is_visible()
    assert problems == []
    # Measured, not asserted: a person reads and types far slower than the browser.
    record_figure(
        "report on a phone in Chromium: 5 actions (open, choose the field, type, email, send), "
        f"{time.perf_counter() - started:.1f} s from the profile to the thank-you page"
    )

    with app.app_context():
        report = db.session.execute(select(CorrectionReport)).scalar_one()
        assert report.field == "phone"
        assert report.suggested_value.startswith("+7 (495) 222-22-22")
        assert report.reporter_email == "parent@example.org"
    [notice] = mailbox.received
    assert notice.recipients == ["anna@example.org"]


def test_the_form_asks_for_what_is_missing_before_sending(
    app: Flask,
    live_server: str,
    phone_page: tuple[Any, list[str]],
    make_technopark: Callable[..., Technopark],
) -> None:
    make_technopark(slug="kvantorium", name="Кванториум")
    page, problems = phone_page
    page.goto(live_server + "/technoparks/kvantorium")
    page.get_by_text("Сообщить об ошибке").click()
    page.get_by_role("button", name="Отправить сообщение").click()
    # The browser keeps the visitor on the page: the field is required.
    assert page.url == live_server + "/technoparks/kvantorium"
    assert page.get_by_label("Что указано неверно?").evaluate("node => !node.validity.valid")
    with app.app_context():
        assert db.session.execute(select(CorrectionReport)).first() is None
    assert problems == []

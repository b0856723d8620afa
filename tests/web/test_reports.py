"""Visitors report mistakes; coordinators apply, mark done or reject; everyone is emailed.

The mail goes over real SMTP to a server on loopback (the `mailbox` fixture).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import AuthActions, Mailbox, form_data
from sqlalchemy import func, select

from directory.domain.models import (
    AuditEntry,
    CorrectionReport,
    OutboxMessage,
    ReportStatus,
    Role,
    Technopark,
)
from directory.extensions import db

PROFILE = "/technoparks/{slug}"
REPORT = "/technoparks/{slug}/report"


@pytest.fixture
def listed(make_technopark: Callable[..., Technopark], auth: AuthActions) -> None:
    """Two technoparks, each with its own coordinator, and an administrator."""
    make_technopark(
        slug="kvantorium",
        name="Кванториум Тест",
        phone="+7 (495) 111-11-11",
        age_min=7,
        age_max=12,
    )
    make_technopark(slug="other-park", name="Другой технопарк", phone="+7 (495) 999-99-99")
    auth.create_user(email="anna@example.org", name="Анна", technoparks=["kvantorium"])
    auth.create_user(email="boris@example.org", name="Борис", technoparks=["other-park"])
    auth.create_user(email="admin@example.org", name="Ирина", role=Role.ADMIN)


def send_report(
    visitor: FlaskClient,
    slug: str = "kvantorium",
    field: str = "phone",
    correction: str = "+7 (495) 222-22-22",
    email: str = "",
    address: str = "127.0.0.1",
    **extra: Any,
) -> Any:
    """Fill in the report form on its page as a visitor would, and send it from the address."""
    path = REPORT.format(slug=slug)
    environ = {"REMOTE_ADDR": address}
    data = form_data(visitor.get(path, environ_base=environ).get_data(as_text=True), path)
    data.update(field=field, correction=correction, email=email, **extra)
    return visitor.post(path, data=data, environ_base=environ)


def stored_reports(app: Flask) -> list[CorrectionReport]:
    with app.app_context():
        rows = db.session.execute(select(CorrectionReport).order_by(CorrectionReport.id))
        reports = list(rows.scalars())
        db.session.expunge_all()
        return reports


def technopark(app: Flask, slug: str) -> Technopark:
    with app.app_context():
        found = db.session.execute(select(Technopark).filter_by(slug=slug)).scalar_one()
        db.session.expunge(found)
        return found


# ---------------------------------------------------------------- the whole loop


def test_report_queue_apply_history_and_the_reporter_is_emailed(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    visitor = app.test_client()
    sent = send_report(visitor, email="parent@example.org")
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/technoparks/kvantorium/report/thanks"
    assert "Спасибо!" in visitor.get(sent.headers["Location"]).get_data(as_text=True)
    [report] = stored_reports(app)
    assert (report.field, report.suggested_value) == ("phone", "+7 (495) 222-22-22")
    assert report.reporter_email == "parent@example.org" and report.status == ReportStatus.OPEN

    # The technopark's coordinator is told, with a link straight to the report in the queue.
    [notice] = mailbox.received
    assert notice.recipients == ["anna@example.org"]
    assert "Кванториум Тест" in notice.subject
    assert "+7 (495) 222-22-22" in notice.body and "+7 (495) 111-11-11" in notice.body
    assert f"/manage/#report-{report.id}" in notice.body

    auth.login(email="anna@example.org")
    queue = client.get("/manage/").get_data(as_text=True)
    assert f'id="report-{report.id}"' in queue
    assert "Телефон" in queue and "+7 (495) 222-22-22" in queue and "+7 (495) 111-11-11" in queue

    applied = auth.post(f"/manage/reports/{report.id}/apply")
    assert applied.status_code == 302
    assert technopark(app, "kvantorium").phone == "+7 (495) 222-22-22"
    assert stored_reports(app)[0].status == ReportStatus.APPLIED
    assert f'id="report-{report.id}"' not in client.get("/manage/").get_data(as_text=True)

    # The history shows the edit and, beside it, the report it came from.
    history = client.get("/manage/technoparks/kvantorium/history").get_data(as_text=True)
    assert "применил(а) сообщение посетителя" in history
    assert f"#{report.id}" in history and "+7 (495) 222-22-22" in history
    with app.app_context():
        actions = db.session.execute(
            select(AuditEntry.action, AuditEntry.field, AuditEntry.new_value)
            .where(AuditEntry.entity_type == "technopark")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        ("edit", "phone", "+7 (495) 222-22-22"),
        ("apply_report", "report", f"#{report.id}"),
    ]

    # The reporter hears back, and the profile counts the correction.
    [answer] = mailbox.to("parent@example.org")
    assert "исправлена" in answer.subject
    assert "http://localhost/technoparks/kvantorium" in answer.body
    profile = visitor.get(PROFILE.format(slug="kvantorium")).get_data(as_text=True)
    assert "1 исправление по сообщениям посетителей" in profile
    assert "+7 (495) 222-22-22" in profile


def test_a_report_can_be_sent_from_the_profile_with_a_token_asked_for_on_sending(
    app: Flask, listed: None
) -> None:
    """What report.js does: the cached profile's form gets its token from /csrf-token."""
    visitor = app.test_client()
    page = visitor.get(PROFILE.format(slug="kvantorium")).get_data(as_text=True)
    data = form_data(page, REPORT.format(slug="kvantorium"))
    assert data["csrf_token"] == ""
    token = visitor.get("/csrf-token")
    assert token.headers["Cache-Control"] == "no-store"
    data.update(
        csrf_token=token.get_json()["csrf_token"], field="address", correction="ул. Новая, 1"
    )
    assert visitor.post(REPORT.format(slug="kvantorium"), data=data).status_code == 302
    assert [report.field for report in stored_reports(app)] == ["address"]


def test_without_a_token_the_form_comes_back_filled_in_and_nothing_is_stored(
    app: Flask, listed: None
) -> None:
    visitor = app.test_client()
    page = visitor.get(PROFILE.format(slug="kvantorium")).get_data(as_text=True)
    data = form_data(page, REPORT.format(slug="kvantorium"))
    data.update(field="phone", correction="8 800 000-00-00", email="mama@example.org")
    answer = visitor.post(REPORT.format(slug="kvantorium"), data=data)
    assert answer.status_code == 200
    again = answer.get_data(as_text=True)
    assert "Сообщение ещё не отправлено" in again
    assert stored_reports(app) == []
    # Sent once more, as the page now offers, it goes through.
    resend = form_data(again, REPORT.format(slug="kvantorium"))
    assert resend["correction"] == "8 800 000-00-00" and resend["email"] == "mama@example.org"
    assert resend["field"] == "phone" and resend["csrf_token"]
    assert visitor.post(REPORT.format(slug="kvantorium"), data=resend).status_code == 302
    assert [report.suggested_value for report in stored_reports(app)] == ["8 800 000-00-00"]


def test_a_new_report_goes_to_the_administrators_where_nobody_coordinates(
    app: Flask, auth: AuthActions, make_technopark: Callable[..., Technopark], mailbox: Mailbox
) -> None:
    make_technopark(slug="orphan", name="Технопарк без координатора")
    auth.create_user(email="admin@example.org", name="Ирина", role=Role.ADMIN)
    auth.create_user(email="second-admin@example.org", name="Олег", role=Role.ADMIN)
    assert send_report(app.test_client(), slug="orphan").status_code == 302
    [notice] = mailbox.received
    assert sorted(notice.recipients) == ["admin@example.org", "second-admin@example.org"]


# ---------------------------------------------------------------- only my technoparks


def test_a_coordinator_never_sees_another_technoparks_reports(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None
) -> None:
    visitor = app.test_client()
    send_report(visitor, slug="kvantorium", correction="для Анны")
    send_report(visitor, slug="other-park", correction="для Бориса")
    mine, theirs = stored_reports(app)

    auth.login(email="anna@example.org")
    queue = client.get("/manage/").get_data(as_text=True)
    assert "для Анны" in queue and f'id="report-{mine.id}"' in queue
    assert "для Бориса" not in queue and f'id="report-{theirs.id}"' not in queue
    for action in ("apply", "done", "reject"):
        refused = auth.post(f"/manage/reports/{theirs.id}/{action}", {"reason": "нет"})
        assert refused.status_code == 403
    assert stored_reports(app)[1].status == ReportStatus.OPEN
    assert technopark(app, "other-park").phone == "+7 (495) 999-99-99"
    auth.logout()

    auth.login(email="admin@example.org")
    queue = client.get("/manage/").get_data(as_text=True)
    assert "для Анны" in queue and "для Бориса" in queue


# ---------------------------------------------------------------- what can be applied


@pytest.mark.parametrize(
    ("field", "correction", "applied", "reason"),
    [
        ("website", "https://kvantorium.example.org", True, None),
        ("age_max", "14", True, None),
        ("opening_date", "2017-12", True, None),
        ("website", "javascript:alert(1)", False, "http://"),
        ("age_min", "15", False, "не может быть меньше нижней"),
        ("age_max", "40", False, "от 3 до 18"),
        ("directions", "робототехника", False, "вручную"),
        ("other", "Переехали в новое здание", False, "вручную"),
        ("phone", "+7 (495) 111-11-11", False, "уже указано"),
    ],
)
def test_only_a_plain_field_that_passes_the_rules_can_be_applied(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    listed: None,
    field: str,
    correction: str,
    applied: bool,
    reason: str | None,
) -> None:
    send_report(app.test_client(), field=field, correction=correction)
    [report] = stored_reports(app)
    auth.login(email="anna@example.org")
    queue = client.get("/manage/").get_data(as_text=True)
    assert (f'action="/manage/reports/{report.id}/apply"' in queue) == applied
    if reason:
        assert reason in queue
    before = technopark(app, "kvantorium")
    answer = auth.post(f"/manage/reports/{report.id}/apply")
    assert answer.status_code == 302
    after = technopark(app, "kvantorium")
    status = stored_reports(app)[0].status
    if applied:
        assert status == ReportStatus.APPLIED
        assert after.version == before.version + 1
    else:
        assert status == ReportStatus.OPEN
        assert after.version == before.version
        assert "нельзя сохранить как есть" in client.get("/manage/").get_data(as_text=True)


def test_marking_done_and_rejecting_tell_the_reporter_and_the_profile_counts_corrections(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    visitor = app.test_client()
    send_report(visitor, field="other", correction="Есть бассейн", email="a@example.org")
    send_report(visitor, field="phone", correction="+7 000", email="b@example.org")
    by_hand, wrong = stored_reports(app)
    auth.login(email="anna@example.org")
    profile_before = visitor.get(PROFILE.format(slug="kvantorium")).get_data(as_text=True)
    assert "по сообщениям посетителей" not in profile_before

    assert auth.post(f"/manage/reports/{by_hand.id}/done").status_code == 302
    # A rejection needs a reason.
    auth.post(f"/manage/reports/{wrong.id}/reject", {"reason": "  "})
    assert stored_reports(app)[1].status == ReportStatus.OPEN
    reason = "Номер <b>неверный</b>: проверили по сайту"
    assert auth.post(f"/manage/reports/{wrong.id}/reject", {"reason": reason}).status_code == 302
    assert [report.status for report in stored_reports(app)] == [
        ReportStatus.DONE,
        ReportStatus.REJECTED,
    ]
    [done_mail] = mailbox.to("a@example.org")
    assert "исправлена" in done_mail.subject
    [rejected_mail] = mailbox.to("b@example.org")
    assert reason in rejected_mail.body and "без изменений" in rejected_mail.body
    # The visitor's words are never sent back to the address they typed.
    assert "+7 000" not in rejected_mail.body and "бассейн" not in done_mail.body

    # The cached profile shows the new count at once.
    assert "1 исправление по сообщениям посетителей" in visitor.get(
        PROFILE.format(slug="kvantorium")
    ).get_data(as_text=True)
    history = client.get("/manage/technoparks/kvantorium/history").get_data(as_text=True)
    assert "исправил(а) вручную по сообщению посетителя" in history
    assert "отклонил(а) сообщение посетителя" in history

    # A report already resolved cannot be resolved again.
    again = auth.post(f"/manage/reports/{wrong.id}/apply")
    assert again.status_code == 302
    assert stored_reports(app)[1].status == ReportStatus.REJECTED


def test_a_report_resolved_meanwhile_is_not_resolved_twice(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    send_report(app.test_client(), email="parent@example.org")
    [report] = stored_reports(app)
    auth.login(email="admin@example.org")
    colleague = app.test_client()
    auth.login(email="anna@example.org", client=colleague)
    assert auth.post(f"/manage/reports/{report.id}/done").status_code == 302
    token = form_data(colleague.get("/manage/").get_data(as_text=True), "/logout")["csrf_token"]
    late = colleague.post(f"/manage/reports/{report.id}/apply", data={"csrf_token": token})
    assert late.status_code == 302
    assert "уже разобрано" in colleague.get("/manage/").get_data(as_text=True)
    assert stored_reports(app)[0].status == ReportStatus.DONE
    assert technopark(app, "kvantorium").phone == "+7 (495) 111-11-11"
    assert len(mailbox.to("parent@example.org")) == 1


# ---------------------------------------------------------------- abuse


def test_the_honeypot_thanks_a_robot_and_stores_nothing(
    app: Flask, listed: None, mailbox: Mailbox
) -> None:
    visitor = app.test_client()
    answer = send_report(visitor, homepage="http://spam.example")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/report/thanks")
    assert stored_reports(app) == []
    assert mailbox.received == []


def test_a_flood_from_one_address_is_refused_with_429(app: Flask, listed: None) -> None:
    app.config["REPORTS_PER_ADDRESS"] = "3 per hour"
    visitor = app.test_client()
    for number in range(3):
        assert send_report(visitor, correction=f"правка {number}").status_code == 302
    flooded = send_report(visitor, correction="ещё одна")
    assert flooded.status_code == 429
    assert int(flooded.headers["Retry-After"]) > 0
    assert "Слишком много запросов" in flooded.get_data(as_text=True)
    assert len(stored_reports(app)) == 3
    # Another address is not affected.
    other = app.test_client()
    assert send_report(other, correction="с другого адреса", address="10.0.0.9").status_code == 302


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"field": ""}, "Выберите, что указано неверно."),
        ({"field": "password_hash"}, "Выберите один из предложенных вариантов."),
        ({"correction": "   "}, "Напишите, как правильно."),
        ({"correction": "я" * 2001}, "Не больше 2000 символов."),
        ({"correction": "строка\x00с нулём"}, "U+0000"),
        ({"email": "не адрес"}, "Введите адрес электронной почты, например name@example.org."),
    ],
)
def test_bad_reports_get_a_clear_message_and_store_nothing(
    app: Flask, listed: None, data: dict[str, str], message: str
) -> None:
    visitor = app.test_client()
    answer = send_report(visitor, **{"field": "phone", "correction": "+7 1", **data})
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    assert stored_reports(app) == []


def test_reports_are_shown_as_typed_everywhere(
    app: Flask, client: FlaskClient, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    payload = '<script>alert("x")</script>{{ 7*7 }} & «ёлка»\nвторая строка'
    assert send_report(app.test_client(), field="other", correction=payload).status_code == 302
    assert stored_reports(app)[0].suggested_value == payload
    assert payload in mailbox.received[0].body
    auth.login(email="anna@example.org")
    queue = client.get("/manage/").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;{{ 7*7 }} &amp; «ёлка»" in queue
    assert "<script>alert" not in queue


def test_only_published_technoparks_take_reports(
    app: Flask, make_technopark: Callable[..., Technopark]
) -> None:
    make_technopark(slug="draft", published=False)
    visitor = app.test_client()
    assert visitor.get(REPORT.format(slug="draft")).status_code == 404
    assert visitor.get("/technoparks/no-such-park/access").status_code == 404


def test_the_outbox_holds_one_message_per_report(
    app: Flask, listed: None, mailbox: Mailbox
) -> None:
    send_report(app.test_client())
    with app.app_context():
        sent = db.session.execute(
            select(func.count()).where(OutboxMessage.sent_at.is_not(None))
        ).scalar_one()
    assert sent == 1


def test_a_long_queue_shows_the_oldest_and_counts_them_all(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    listed: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("directory.web.manage.feedback_views.QUEUE_SHOWN", 2)
    visitor = app.test_client()
    for number in range(3):
        send_report(visitor, correction=f"правка номер {number}")
    auth.login(email="anna@example.org")
    queue = client.get("/manage/").get_data(as_text=True)
    assert "правка номер 0" in queue and "правка номер 1" in queue
    assert "правка номер 2" not in queue
    assert '<span class="report-count">(3)</span>' in queue

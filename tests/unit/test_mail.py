"""Email through the outbox: nothing lost while the mail server is away, nothing sent twice,
nothing sent for a change that was rolled back, and no request waiting for the server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from helpers import AuthActions, Mailbox, form_data, free_port
from sqlalchemy import select, update

from directory import create_app
from directory.domain import outbox
from directory.domain.models import (
    CorrectionReport,
    OutboxMessage,
    Role,
    Technopark,
    User,
    utcnow,
)
from directory.extensions import db
from directory.mail import send_messages, wait_for_senders

REPORT = "/technoparks/kvantorium/report"


@pytest.fixture
def listed(make_technopark: Callable[..., Technopark], auth: AuthActions) -> None:
    make_technopark(slug="kvantorium", name="Кванториум Тест", phone="+7 (495) 111-11-11")
    auth.create_user(email="anna@example.org", name="Анна", technoparks=["kvantorium"])


def report_a_mistake(app: Flask, correction: str = "+7 (495) 222-22-22") -> int:
    """A visitor reports a mistake; returns the response status."""
    visitor = app.test_client()
    data = form_data(visitor.get(REPORT).get_data(as_text=True), REPORT)
    data.update(field="phone", correction=correction)
    return visitor.post(REPORT, data=data).status_code


def messages(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        db.session.expunge_all()
        return found


def reports_stored(app: Flask) -> int:
    with app.app_context():
        return len(db.session.execute(select(CorrectionReport.id)).all())


def server_down(app: Flask) -> None:
    """Point the app at a loopback port where no mail server listens."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=5)


# ---------------------------------------------------------------- the server is away


def test_with_the_server_down_the_outbox_keeps_the_mail_and_sends_it_later(
    app: Flask, runner: FlaskCliRunner, listed: None, mailbox: Mailbox
) -> None:
    server_down(app)
    assert report_a_mistake(app) == 302
    assert reports_stored(app) == 1
    [pending] = messages(app)
    assert pending.sent_at is None and pending.attempts == 1
    assert "ConnectionRefusedError" in pending.last_error
    # The next attempt waits a minute; the timer's run leaves it until then.
    waiting = pending.next_attempt_at - pending.last_attempt_at
    assert timedelta(minutes=1) <= waiting < timedelta(minutes=2)
    quiet = runner.invoke(args=["mail", "send-pending"])
    assert quiet.exit_code == 0 and "sent 0, failed 0, still pending 1" in quiet.output

    # Still down: a forced run fails, says so, and keeps the message.
    failed = runner.invoke(args=["mail", "send-pending", "--all"])
    assert failed.exit_code == 1 and "sent 0, failed 1, still pending 1" in failed.output
    assert messages(app)[0].attempts == 2
    later = messages(app)[0]
    assert later.next_attempt_at - later.last_attempt_at > timedelta(minutes=4)

    app.config["MAIL_PORT"] = mailbox.port
    back = runner.invoke(args=["mail", "send-pending", "--all"])
    assert back.exit_code == 0 and "sent 1, failed 0, still pending 0" in back.output
    [delivered] = mailbox.received
    assert delivered.recipients == ["anna@example.org"] and "+7 (495) 222-22-22" in delivered.body
    assert messages(app)[0].sent_at is not None
    # Sent once: another run sends nothing.
    assert "sent 0" in runner.invoke(args=["mail", "send-pending", "--all"]).output
    assert len(mailbox.received) == 1


def test_once_the_server_is_back_the_next_send_retries_what_is_due(
    app: Flask, listed: None, mailbox: Mailbox
) -> None:
    server_down(app)
    report_a_mistake(app, "первое")
    app.config["MAIL_PORT"] = mailbox.port
    with app.app_context():
        # A minute has passed since the failure.
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    report_a_mistake(app, "второе")
    assert sorted("первое" in message.body for message in mailbox.received) == [False, True]
    assert all(message.sent_at for message in messages(app))


def test_a_refused_recipient_does_not_hold_up_the_others(app: Flask, mailbox: Mailbox) -> None:
    mailbox.refused.add("gone@example.org")
    with app.app_context():
        for address in ("gone@example.org", "here@example.org"):
            outbox.queue_mail([address], "Тема", "Текст")
        db.session.commit()
    assert [message.recipients for message in mailbox.received] == [["here@example.org"]]
    refused, sent = messages(app)
    assert refused.sent_at is None and "SMTPRecipientsRefused" in refused.last_error
    assert sent.sent_at is not None


# ---------------------------------------------------------------- exactly once


def test_mail_of_a_rolled_back_change_is_never_sent(app: Flask, mailbox: Mailbox) -> None:
    with app.app_context():
        outbox.queue_mail(["anna@example.org"], "Тема", "Текст")
        db.session.rollback()
        outbox.queue_mail(["boris@example.org"], "Тема", "Текст")
        db.session.commit()
    assert [message.recipients for message in mailbox.received] == [["boris@example.org"]]
    assert [message.recipients for message in messages(app)] == ["boris@example.org"]


def test_a_claimed_message_is_not_sent_by_a_second_sender(app: Flask, mailbox: Mailbox) -> None:
    app.config["MAIL_SERVER"] = None
    with app.app_context():
        message_id = outbox.queue_mail(["anna@example.org"], "Тема", "Текст").id
        db.session.commit()
        # The console took it at the commit; make it pending again, as if never sent.
        db.session.execute(update(OutboxMessage).values(sent_at=None))
        db.session.commit()
        first = outbox.claim(message_id, utcnow())
        second = outbox.claim(message_id, utcnow())
        assert first is not None and second is None
        db.session.commit()
        app.config["MAIL_SERVER"] = "127.0.0.1"
        assert send_messages([message_id]).sent == 0
        # A sender that died lets it go when its hold passes.
        assert outbox.claim(message_id, utcnow() + outbox.CLAIM_HOLD * 2) is not None
        db.session.rollback()
    assert mailbox.received == []


def test_nobody_to_write_to_writes_nothing(app: Flask) -> None:
    with app.app_context():
        assert outbox.queue_mail([" ", ""], "Тема", "Текст") is None
    assert messages(app) == []


def test_a_subject_stays_on_one_line(app: Flask, mailbox: Mailbox) -> None:
    with app.app_context():
        outbox.queue_mail(["a@example.org"], "Тема\r\nBcc: victim@example.org", "Текст")
        db.session.commit()
    [received] = mailbox.received
    assert received.subject == "Тема Bcc: victim@example.org"
    assert received.recipients == ["a@example.org"]


# ---------------------------------------------------------------- never waiting


def test_a_request_never_waits_for_a_slow_mail_server(
    app: Flask, listed: None, mailbox: Mailbox
) -> None:
    app.config["MAIL_SEND_IN_BACKGROUND"] = True
    mailbox.hold()
    try:
        # The server takes the message but does not answer: the request answers anyway.
        assert report_a_mistake(app) == 302
        assert mailbox.received == []
        assert messages(app)[0].sent_at is None
    finally:
        mailbox.release()
    wait_for_senders(app)
    assert len(mailbox.received) == 1
    assert messages(app)[0].sent_at is not None


def test_without_a_mail_server_the_mail_is_printed(
    app: Flask, auth: AuthActions, listed: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert app.config["MAIL_SERVER"] is None
    report_a_mistake(app)
    printed = capsys.readouterr().out
    assert "To: anna@example.org" in printed
    assert "Subject: Сообщение об ошибке: Кванториум Тест" in printed
    assert "+7 (495) 222-22-22" in printed
    assert messages(app)[0].sent_at is not None


def test_links_in_emails_use_the_site_address_when_set(
    app: Flask, auth: AuthActions, listed: None, mailbox: Mailbox
) -> None:
    app.config["SITE_URL"] = "https://technoparks.example/"
    visitor = app.test_client()
    forged = {"Host": "evil.example"}
    data = form_data(visitor.get(REPORT, headers=forged).get_data(as_text=True), REPORT)
    data.update(field="phone", correction="+7 1")
    assert visitor.post(REPORT, data=data, headers=forged).status_code == 302
    [message] = mailbox.received
    assert "https://technoparks.example/manage/#report-" in message.body
    assert "evil.example" not in message.body


def test_mail_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    monkeypatch.setenv("MAIL_USERNAME", "directory")
    monkeypatch.setenv("MAIL_PASSWORD", "secret")
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "Каталог <noreply@technoparks.example>")
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    assert app.config["MAIL_SERVER"] == "smtp.example.org"
    assert app.config["MAIL_PORT"] == 587 and app.config["MAIL_USE_TLS"] is True
    assert app.config["MAIL_USERNAME"] == "directory" and app.config["MAIL_PASSWORD"] == "secret"
    assert app.config["MAIL_DEFAULT_SENDER"] == "Каталог <noreply@technoparks.example>"
    monkeypatch.setenv("MAIL_USE_TLS", "0")
    assert (
        create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).config["MAIL_USE_TLS"] is False
    )


def test_the_sender_is_the_configured_one(app: Flask, mailbox: Mailbox) -> None:
    app.config["MAIL_DEFAULT_SENDER"] = "Каталог <noreply@technoparks.example>"
    with app.app_context():
        outbox.queue_mail(["a@example.org"], "Тема", "Текст")
        db.session.commit()
    assert mailbox.received[0].sender == "noreply@technoparks.example"


def test_old_sent_mail_is_forgotten(app: Flask, runner: FlaskCliRunner, mailbox: Mailbox) -> None:
    with app.app_context():
        outbox.queue_mail(["a@example.org"], "Старое", "Текст")
        outbox.queue_mail(["b@example.org"], "Новое", "Текст")
        db.session.commit()
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.subject == "Старое")
            .values(sent_at=utcnow() - timedelta(days=31))
        )
        db.session.commit()
    assert runner.invoke(args=["mail", "send-pending"]).exit_code == 0
    assert [message.subject for message in messages(app)] == ["Новое"]


def test_a_deactivated_coordinator_is_not_written_to(
    app: Flask, auth: AuthActions, make_technopark: Callable[..., Technopark], mailbox: Mailbox
) -> None:
    make_technopark(slug="kvantorium")
    gone = auth.create_user(email="gone@example.org", name="Ушедший", technoparks=["kvantorium"])
    auth.create_user(email="admin@example.org", name="Ирина", role=Role.ADMIN)
    with app.app_context():
        db.session.get(User, gone).active = False
        db.session.commit()
    report_a_mistake(app)
    assert mailbox.received[0].recipients == ["admin@example.org"]

"""Sending the outbox: after each commit that queued mail, and on demand for what failed.

A sender claims a message, commits, sends it with no transaction open, and marks it sent
or failed. When the mail server cannot be reached, the rest of the batch is left alone
(still pending, unclaimed): the next send or `flask mail send-pending` tries again.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import click
from flask import Flask, current_app
from flask_mailman import BadHeaderError, EmailMessage
from flask_mailman.backends.base import BaseEmailBackend
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..db.sqlite import declare_writer
from ..domain import outbox
from ..domain.models import OutboxMessage, utcnow
from ..extensions import db, mail

LOGGER = logging.getLogger(__name__)
CONSOLE_BACKEND = "directory.mail.console"
# Earlier failures that each sender retries, once its own messages are out.
RETRY_BATCH = 20
# Sent messages are kept this long (without the body of a password link), then deleted.
KEEP_SENT = timedelta(days=30)
# Refusals about one message; the server is there, so the next message may still go.
MESSAGE_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    BadHeaderError,
    UnicodeError,
)


@dataclass
class Delivery:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0
    # The server could not be reached or refused us: the rest waits for a later attempt.
    server_away: bool = False


def backend_name(config: dict[str, Any]) -> str:
    """SMTP when a server is configured, the console otherwise; MAIL_BACKEND overrides."""
    if config.get("MAIL_BACKEND"):
        return config["MAIL_BACKEND"]
    return "smtp" if config.get("MAIL_SERVER") else CONSOLE_BACKEND


def open_connection() -> BaseEmailBackend:
    """A backend built from the current settings (read at each send, not at start-up)."""
    config = current_app.config
    return mail.get_connection(
        backend=backend_name(config),
        host=config.get("MAIL_SERVER"),
        port=int(config.get("MAIL_PORT") or 25),
        username=config.get("MAIL_USERNAME") or "",
        password=config.get("MAIL_PASSWORD") or "",
        use_tls=bool(config.get("MAIL_USE_TLS")),
        timeout=config.get("MAIL_TIMEOUT"),
    )


def envelope(message: OutboxMessage) -> EmailMessage:
    return EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=outbox.recipients_of(message),
    )


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def send_messages(message_ids: Iterable[int]) -> Delivery:
    """Claim, send and mark each message; a failure is logged and left for a later attempt."""
    delivery = Delivery()
    connection: BaseEmailBackend | None = None
    for message_id in message_ids:
        message = outbox.claim(message_id, utcnow())
        if message is None:
            db.session.rollback()
            continue
        email, attempt = envelope(message), message.attempts
        # The claim is visible to every other sender before the slow part begins.
        db.session.commit()
        try:
            if connection is None:
                connection = open_connection()
                connection.open()
            if connection.send_messages([email]) != 1:
                raise smtplib.SMTPRecipientsRefused({})
        except Exception as error:  # any failure leaves the mail pending
            reason = describe(error)
            LOGGER.warning("mail %s not sent (attempt %s): %s", message_id, attempt, reason)
            outbox.mark_failed(db.session.get(OutboxMessage, message_id), utcnow(), reason)
            db.session.commit()
            delivery.failed += 1
            if not isinstance(error, MESSAGE_REFUSED):
                # The server is away or refuses us: the others wait for the next attempt.
                connection = close_quietly(connection)
                delivery.server_away = True
                break
        else:
            outbox.mark_sent(db.session.get(OutboxMessage, message_id), utcnow())
            db.session.commit()
            delivery.sent += 1
    close_quietly(connection)
    return delivery


def close_quietly(connection: BaseEmailBackend | None) -> None:
    """Close the connection; a server that has gone away already closed it."""
    if connection is None:
        return None
    try:
        connection.close()
    except Exception as error:  # closing must not undo a send
        LOGGER.info("mail connection closed badly: %s", describe(error))
    return None


def send_pending(include_waiting: bool = False) -> Delivery:
    """Send every message due (or every unsent one), then forget old sent ones."""
    now = utcnow()
    due = outbox.pending_messages(now, include_waiting=include_waiting)
    db.session.commit()
    delivery = send_messages(due)
    outbox.prune_sent(now - KEEP_SENT)
    db.session.commit()
    return delivery


# ---------------------------------------------------------------- after each commit


def run_sender(app: Flask, message_ids: list[int]) -> None:
    """Send the just-committed messages, then retry a few earlier ones that are due.

    Runs in an app context of its own, with its own database session, and never raises:
    whatever goes wrong is logged, and the outbox keeps the mail.
    """
    with app.app_context():
        declare_writer()
        try:
            if not send_messages(message_ids).server_away:
                send_messages(outbox.pending_messages(utcnow(), limit=RETRY_BATCH))
        except Exception:  # a sender never breaks its caller
            LOGGER.exception("the mail sender stopped; the outbox keeps what it did not send")
            db.session.rollback()


def dispatch(app: Flask, message_ids: list[int]) -> None:
    """Start sending committed messages: in a thread, or at once when configured so.

    A command sends at once too: its process may end before a thread would have sent.
    """
    if not app.config["MAIL_SEND_IN_BACKGROUND"] or click.get_current_context(silent=True):
        run_sender(app, message_ids)
        return
    senders: list[threading.Thread] = app.extensions.setdefault("mail_senders", [])
    senders[:] = [thread for thread in senders if thread.is_alive()]
    thread = threading.Thread(
        target=run_sender, args=(app, message_ids), name="mail-sender", daemon=True
    )
    senders.append(thread)
    thread.start()


def wait_for_senders(app: Flask) -> None:
    """Wait until every sender thread this app started has finished."""
    for thread in list(app.extensions.get("mail_senders", [])):
        thread.join()


def after_commit(session: Session) -> None:
    message_ids = session.info.pop(outbox.QUEUED, None)
    if message_ids:
        dispatch(current_app._get_current_object(), message_ids)


def after_rollback(session: Session) -> None:
    # The messages were never committed, so there is nothing to send.
    session.info.pop(outbox.QUEUED, None)


def init_app(app: Flask) -> None:
    """Bind Flask-Mailman to the app and send queued mail after every commit."""
    mail.init_app(app)
    factory = db.session.session_factory
    if not getattr(factory, "sends_outbox", False):
        event.listen(factory, "after_commit", after_commit)
        event.listen(factory, "after_rollback", after_rollback)
        factory.sends_outbox = True

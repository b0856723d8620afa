"""The mail outbox: each email is a row written in the transaction of the change it tells of.

queue_mail() adds a message and flushes; the caller commits, so an email exists exactly
when its change does. directory/mail sends what was committed, right after the commit and
again later for whatever failed. A sender first claims a message (one UPDATE that only
one process can win), sends it with no transaction open, then marks it sent or failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update

from ..extensions import db
from .models import OutboxMessage, utcnow

# Where the ids of messages queued in a session wait for its commit (see directory/mail).
QUEUED = "outbox_queued"
# How long a sender holds a claimed message; one that died lets it go after this.
CLAIM_HOLD = timedelta(minutes=5)
# The wait before each further attempt; the last one repeats.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
SUBJECT_LENGTH = 300
ERROR_LENGTH = 2000


def one_line(text: str) -> str:
    """A header's text on one line: a line break in a subject would start a new header."""
    return " ".join(text.split())


def queue_mail(
    recipients: Iterable[str], subject: str, body: str, sensitive: bool = False
) -> OutboxMessage | None:
    """Write an email to the outbox; None when there is nobody to send it to."""
    addresses = list(dict.fromkeys(address.strip() for address in recipients if address.strip()))
    if not addresses:
        return None
    message = OutboxMessage(
        recipients=", ".join(addresses),
        subject=one_line(subject)[:SUBJECT_LENGTH],
        body=body,
        sensitive=sensitive,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(QUEUED, []).append(message.id)
    return message


def recipients_of(message: OutboxMessage) -> list[str]:
    return [address.strip() for address in message.recipients.split(",") if address.strip()]


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after this many failed attempts."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def pending_messages(
    now: datetime, include_waiting: bool = False, limit: int | None = None
) -> list[int]:
    """Ids of unsent messages nobody holds, oldest first; only those due unless told."""
    statement = (
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None))
        .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if not include_waiting:
        statement = statement.where(OutboxMessage.next_attempt_at <= now)
    return list(db.session.execute(statement).scalars())


def claim(message_id: int, now: datetime) -> OutboxMessage | None:
    """Take an unsent message for sending; None when it is sent or another sender holds it.

    Flushes the claim; the caller commits before sending, so other processes see it.
    """
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .where(OutboxMessage.sent_at.is_(None))
        .where(or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .values(
            claimed_until=now + CLAIM_HOLD,
            attempts=OutboxMessage.attempts + 1,
            last_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id, populate_existing=True)


def mark_sent(message: OutboxMessage, now: datetime) -> None:
    """The message went out; a body with a password link is erased."""
    message.sent_at = now
    message.claimed_until = None
    message.last_error = None
    if message.sensitive:
        message.body = ""
    db.session.flush()


def mark_failed(message: OutboxMessage, now: datetime, error: str) -> None:
    """Record why it failed and when to try again."""
    message.claimed_until = None
    message.last_error = error[:ERROR_LENGTH]
    message.next_attempt_at = now + retry_delay(message.attempts)
    db.session.flush()


def count_pending() -> int:
    return db.session.execute(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    ).scalar_one()


def prune_sent(before: datetime) -> int:
    """Delete messages sent before the given time; returns how many."""
    result = db.session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount

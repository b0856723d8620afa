"""Sign-ins kept on the server: one row per signed-in browser, deleted when it signs out.

A cookie names its sign-in by a random token; only the token's SHA-256 is stored. Signing
out deletes the row, so the cookie (or a copy of it taken earlier) opens nothing any more;
a new password or a deactivated account deletes every row of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from ..extensions import db
from .dates import as_utc
from .models import SignIn, User, utcnow

TOKEN_BYTES = 32
# A token is 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100
# last_seen_at is written at most this often, so that a busy session writes rarely.
SEEN_PRECISION = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_sign_in(user: User, now: datetime | None = None) -> str:
    """Store a new sign-in for the user and return its token (for the cookie, never stored).

    The token is also kept on the user object, for the cookie Flask-Login writes now.
    Flushes; the caller commits.
    """
    token = secrets.token_urlsafe(TOKEN_BYTES)
    moment = now or utcnow()
    db.session.add(
        SignIn(user=user, token_hash=token_hash(token), created_at=moment, last_seen_at=moment)
    )
    db.session.flush()
    user.sign_in_token = token
    return token


def signed_in_user(user_id: int, token: str) -> tuple[User, SignIn] | None:
    """The active user and the sign-in this id and token name, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    sign_in = db.session.execute(
        select(SignIn).where(SignIn.token_hash == token_hash(token), SignIn.user_id == user_id)
    ).scalar_one_or_none()
    if sign_in is None or not sign_in.user.active:
        return None
    sign_in.user.sign_in_token = token
    return sign_in.user, sign_in


def note_seen(sign_in: SignIn, now: datetime | None = None) -> None:
    """Move last_seen_at on when it is more than a few minutes old; the caller commits."""
    moment = now or utcnow()
    if moment - as_utc(sign_in.last_seen_at) >= SEEN_PRECISION:
        sign_in.last_seen_at = moment


def end_sign_in(token: str | None) -> None:
    """Delete the sign-in with this token, if there is one; the caller commits."""
    if token:
        db.session.execute(delete(SignIn).where(SignIn.token_hash == token_hash(token)))

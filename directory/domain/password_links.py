"""One-time links to choose a password: for a new account, or after a forgotten one.

The link carries a random token; only its SHA-256 is stored, so a copy of the database
opens no account. A link expires (48 hours by default) and works once: using it, or any
other link of the same account, spends every link that account has.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ..extensions import db
from .accounts import user_by_email
from .models import LinkPurpose, PasswordLink, User, utcnow
from .operations import log_changes

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(user: User, purpose: LinkPurpose, max_age: timedelta) -> str:
    """Store a new link for the user and return its token (for the email, never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(
        PasswordLink(
            user=user,
            token_hash=token_hash(token),
            purpose=purpose,
            expires_at=utcnow() + max_age,
        )
    )
    db.session.flush()
    return token


def reset_link_for(email: str, max_age: timedelta) -> tuple[User, str] | None:
    """A reset link for the active account with this email; None when there is none."""
    user = user_by_email(email)
    if user is None or not user.active:
        return None
    return user, issue_link(user, LinkPurpose.RESET, max_age)


def usable_link(token: str, now: datetime | None = None) -> PasswordLink | None:
    """The unspent, unexpired link of an active account with this token, or None."""
    if not token or len(token) > 200:
        return None
    link = db.session.execute(
        select(PasswordLink).where(
            PasswordLink.token_hash == token_hash(token),
            PasswordLink.used_at.is_(None),
            PasswordLink.expires_at > (now or utcnow()),
        )
    ).scalar_one_or_none()
    if link is None or not link.user.active:
        return None
    return link


def use_link(link: PasswordLink, password: str) -> User | None:
    """Set the account's password and spend its links; None when the link was spent meanwhile.

    The spending is one conditional UPDATE, so the same link cannot set two passwords.
    """
    moment = utcnow()
    spent = db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return None
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == link.user_id, PasswordLink.used_at.is_(None))
        .values(used_at=moment)
        .execution_options(synchronize_session=False)
    )
    user = link.user
    user.set_password(password)
    action = "set_password" if link.purpose == LinkPurpose.WELCOME else "reset_password"
    log_changes("user", user.id, action, {}, user=user)
    db.session.flush()
    return user

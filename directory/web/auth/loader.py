"""Flask-Login's user loading: a cookie is valid only while its sign-in is stored."""

from __future__ import annotations

from flask_login import LoginManager

from ...domain.models import User
from ...domain.sign_ins import note_seen, signed_in_user
from ..transactions import transaction_may_write


def load_user(user_id: str) -> User | None:
    """The active user whose id and sign-in token the cookie carries, or nobody."""
    identifier, _, token = user_id.partition(":")
    if not identifier.isdigit() or not token:
        return None
    found = signed_in_user(int(identifier), token)
    if found is None:
        return None
    user, sign_in = found
    # Reading requests never write (on SQLite they hold no write lock); a request that
    # writes anyway carries the time along with its own commit.
    if transaction_may_write():
        note_seen(sign_in)
    return user


def configure_login(manager: LoginManager) -> None:
    """Wire the loader and the sign-in page into Flask-Login."""
    manager.user_loader(load_user)
    manager.login_view = "auth.login"
    manager.session_protection = "strong"

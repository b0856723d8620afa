"""Flask-Login's user loading: a session is valid only with the user's current token."""

from __future__ import annotations

from flask_login import LoginManager

from ...domain.models import User
from ...extensions import db


def load_user(user_id: str) -> User | None:
    """The active user whose id and session token match the cookie, or nobody."""
    identifier, _, token = user_id.partition(":")
    if not identifier.isdigit() or not token:
        return None
    user = db.session.get(User, int(identifier))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def configure_login(manager: LoginManager) -> None:
    """Wire the loader and the sign-in page into Flask-Login."""
    manager.user_loader(load_user)
    manager.login_view = "auth.login"
    manager.session_protection = "strong"

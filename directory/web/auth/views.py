"""Signing in and out, with failed attempts limited per address and per account; choosing a
password through a one-time link, for a new account or after a forgotten one."""

from __future__ import annotations

import time
from functools import cache
from urllib.parse import unquote, urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.security import check_password_hash, generate_password_hash

from ...db.sqlite import declare_writer
from ...domain import password_links
from ...domain.accounts import user_by_email
from ...domain.models import LinkPurpose, User
from ...domain.sign_ins import end_sign_in, start_sign_in
from ...domain.text import first_control_character
from ...extensions import db, limiter
from .. import notifications
from ..i18n import current_language
from ..transactions import writes_nothing
from .forms import ChoosePasswordForm, ForgotPasswordForm, LoginForm

# ---------------------------------------------------------------- where to go next


def has_control_or_blank(text: str) -> bool:
    """Whether the text holds a control character or any kind of blank."""
    return first_control_character(text, multiline=False) is not None or any(
        char.isspace() for char in text
    )


def safe_next_path(target: str | None) -> str | None:
    """The target when it is a path on this site, otherwise None.

    Browsers read `//host`, `/\\host` and `\\\\host` as other sites, and some decode
    `%2F` or drop blanks and control characters first, so all of those are refused.
    """
    if not target or len(target) > 2000:
        return None
    decoded = target
    for _round in range(3):
        decoded = unquote(decoded)
    for text in (target, decoded):
        if has_control_or_blank(text) or "\\" in text:
            return None
        if not text.startswith("/") or text.startswith("//"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# ---------------------------------------------------------------- rate limits


def failed_sign_in(_response: object) -> bool:
    """Flask-Limiter's deduct_when: only a refused email/password pair counts."""
    return bool(g.get("failed_sign_in"))


def account_key() -> str:
    """The per-account limit's key: the email as typed, case and blanks ignored."""
    return "account:" + request.form.get("email", "").strip().casefold()


def failures_per_account() -> str:
    return current_app.config["LOGIN_FAILURES_PER_ACCOUNT"]


def failures_per_address() -> str:
    return current_app.config["LOGIN_FAILURES_PER_ADDRESS"]


def resets_per_address() -> str:
    return current_app.config["PASSWORD_RESETS_PER_ADDRESS"]


def resets_per_account() -> str:
    return current_app.config["PASSWORD_RESETS_PER_ACCOUNT"]


# ---------------------------------------------------------------- credentials


@cache
def decoy_hash() -> str:
    """A hash to check unknown emails against, so they take as long as known ones."""
    return generate_password_hash("no account has this password", method="scrypt")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None for any failure."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(decoy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


# ---------------------------------------------------------------- views


@writes_nothing
@limiter.limit(
    failures_per_address,
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=failed_sign_in,
)
@limiter.limit(
    failures_per_account, key_func=account_key, methods=["POST"], deduct_when=failed_sign_in
)
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(safe_next_path(request.args.get("next")) or url_for("manage.index"))
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            g.failed_sign_in = True
            form.form_errors.append(_("Wrong email or password."))
        else:
            target = safe_next_path(form.next.data)
            user = store_sign_in(user)
            # A fresh session: nothing from before the sign-in carries over.
            session.clear()
            login_user(user, remember=form.remember.data)
            # The form token's secret is made now, once: forms opened at the same moment in
            # several tabs would each make their own, and all but the last would expire. The
            # token cached for this request was made from the secret just cleared.
            g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
            generate_csrf()
            flash(_("You are signed in as %(name)s.", name=user.name), "success")
            return redirect(target or url_for("manage.index"))
    return render_template("auth/login.html", form=form)


def store_sign_in(user: User) -> User:
    """Record the sign-in on the server, in a write transaction of its own.

    The password was checked in a reading one, so that no save waited for the hash.
    """
    user_id = user.id
    db.session.rollback()
    declare_writer()
    user = db.session.get(User, user_id)
    start_sign_in(user)
    db.session.commit()
    return user


def logout():
    if current_user.is_authenticated:
        # The cookie, and any copy of it, now names a sign-in that no longer exists.
        end_sign_in(current_user.sign_in_token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("public.index"))


# ---------------------------------------------------------------- one-time password links


@limiter.limit(resets_per_address, key_func=get_remote_address, methods=["POST"])
@limiter.limit(resets_per_account, key_func=account_key, methods=["POST"])
def password_forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        found = password_links.reset_link_for(
            form.email.data, current_app.config["PASSWORD_LINK_MAX_AGE"]
        )
        if found is not None:
            user, token = found
            notifications.password_reset(user, token, current_language())
            db.session.commit()
        # The same answer whether or not the account exists: the page tells nobody who has one.
        flash(
            _(
                "If an account has this address, a link to choose a new password is on its "
                "way to it. Check your mail, including the spam folder."
            ),
            "info",
        )
        return redirect(url_for(".login"))
    return render_template("auth/password_forgot.html", form=form)


def password_set(token: str):
    link = password_links.usable_link(token)
    if link is None:
        response = current_app.make_response(
            (render_template("auth/password_link_spent.html"), 410)
        )
        response.headers["Cache-Control"] = "no-store"
        return response
    form = ChoosePasswordForm(email=link.user.email)
    if form.validate_on_submit():
        user = password_links.use_link(link, form.new_password.data)
        if user is None:
            db.session.rollback()
            abort(410)
        db.session.commit()
        if current_user.is_authenticated:
            # Whoever was signed in on this device signs in again with the new password.
            logout_user()
        session.clear()
        flash(_("Your password is set. Sign in with it now."), "success")
        return redirect(url_for(".login"))
    welcome = link.purpose == LinkPurpose.WELCOME
    response = current_app.make_response(
        render_template("auth/password_set.html", form=form, link=link, welcome=welcome)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def too_many_attempts(error: Exception):
    limit = limiter.current_limit
    retry_after = max(1, int(limit.reset_at - time.time())) if limit else 900
    template = (
        "auth/too_many_resets.html"
        if request.endpoint == "auth.password_forgot"
        else "auth/too_many_attempts.html"
    )
    response = current_app.make_response(
        (render_template(template, minutes=-(-retry_after // 60)), 429)
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


def form_expired(error: CSRFError):
    return render_template("auth/form_expired.html"), 400

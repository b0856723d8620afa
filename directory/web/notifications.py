"""The emails the directory writes: each in its recipient's language, queued in the outbox.

A message is rendered from templates/email/<name>.txt, whose first line is the subject and
the rest the body, and written to the outbox in the transaction of the change it tells of
(directory/domain/outbox.py); directory/mail sends it once that transaction commits.
Links start with SITE_URL when it is set, so a forged Host header cannot redirect them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import select

from ..domain import outbox
from ..domain.audit import as_text
from ..domain.models import (
    AccessRequest,
    CorrectionReport,
    OutboxMessage,
    ReportStatus,
    Role,
    User,
)
from ..domain.reports import OTHER, current_value
from ..extensions import db


def site_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an email."""
    base = current_app.config.get("SITE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def staff_language() -> str:
    """Coordinators and administrators read the directory's default language."""
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def queue(
    template: str,
    recipients: Iterable[str],
    language: str,
    sensitive: bool = False,
    **context: Any,
) -> OutboxMessage | None:
    """Render templates/email/<template>.txt in the language and put it in the outbox."""
    with force_locale(language):
        text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    return outbox.queue_mail(recipients, subject, body.strip() + "\n", sensitive=sensitive)


def active_admins() -> list[User]:
    return list(
        db.session.execute(
            select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
        ).scalars()
    )


def report_recipients(report: CorrectionReport) -> list[str]:
    """The technopark's active coordinators, or the administrators where it has none."""
    coordinators = [user for user in report.technopark.coordinators if user.active]
    return [user.email for user in coordinators or active_admins()]


def described(field: str) -> str:
    """The field's label in the edit form; empty for "something else"."""
    # Imported here: the workspace's package imports the sign-in views, which send mail.
    from .manage.forms import field_label

    return field_label(field) if field != OTHER else ""


def shown_value(report: CorrectionReport) -> str | None:
    """What the listing holds now in the reported field, as a person reads it."""
    from .manage.views import readable

    if report.field == OTHER:
        return None
    return readable(report.field, as_text(current_value(report)))


# ---------------------------------------------------------------- visitors' reports


def report_received(report: CorrectionReport) -> OutboxMessage | None:
    """Tell the technopark's coordinators of a new report, with a link to the queue."""
    with force_locale(staff_language()):
        label = described(report.field)
        current = shown_value(report)
    return queue(
        "report_received",
        report_recipients(report),
        staff_language(),
        report=report,
        technopark=report.technopark,
        field_label=label,
        current=current,
        queue_url=site_url("manage.index", _anchor=f"report-{report.id}"),
        profile_url=site_url("public.technopark_detail", slug=report.technopark.slug),
    )


def report_resolved(report: CorrectionReport) -> OutboxMessage | None:
    """Tell the reporter, if they left an address, what became of their report."""
    if not report.reporter_email:
        return None
    with force_locale(report.language):
        label = described(report.field)
    return queue(
        "report_resolved",
        [report.reporter_email],
        report.language,
        report=report,
        corrected=report.status in (ReportStatus.APPLIED, ReportStatus.DONE),
        technopark=report.technopark,
        field_label=label,
        profile_url=site_url("public.technopark_detail", slug=report.technopark.slug),
    )


# ---------------------------------------------------------------- access for staff


def access_requested(access_request: AccessRequest) -> OutboxMessage | None:
    """Tell the administrators that someone asks to keep a technopark's listing."""
    return queue(
        "access_requested",
        [user.email for user in active_admins()],
        staff_language(),
        access_request=access_request,
        technopark=access_request.technopark,
        requests_url=site_url(
            "manage.access_request_list", _anchor=f"access-request-{access_request.id}"
        ),
    )


def access_approved(
    access_request: AccessRequest, user: User, token: str | None
) -> OutboxMessage | None:
    """Welcome the new coordinator with a link to choose a password (or to sign in)."""
    hours = int(current_app.config["PASSWORD_LINK_MAX_AGE"].total_seconds() // 3600)
    return queue(
        "access_approved",
        [user.email],
        access_request.language,
        sensitive=token is not None,
        access_request=access_request,
        technopark=access_request.technopark,
        user=user,
        password_url=site_url("auth.password_set", token=token) if token else None,
        login_url=site_url("auth.login"),
        forgot_url=site_url("auth.password_forgot"),
        hours=hours,
    )


def access_rejected(access_request: AccessRequest) -> OutboxMessage | None:
    return queue(
        "access_rejected",
        [access_request.email],
        access_request.language,
        access_request=access_request,
        technopark=access_request.technopark,
    )


# ---------------------------------------------------------------- passwords


def password_reset(user: User, token: str, language: str) -> OutboxMessage | None:
    hours = int(current_app.config["PASSWORD_LINK_MAX_AGE"].total_seconds() // 3600)
    return queue(
        "password_reset",
        [user.email],
        language,
        sensitive=True,
        user=user,
        password_url=site_url("auth.password_set", token=token),
        forgot_url=site_url("auth.password_forgot"),
        hours=hours,
    )

"""The workspace's answers to visitors and staff: reports of mistakes, requests for access.

A coordinator resolves the open reports on their own technoparks (an administrator, all):
apply the suggestion, mark the report done after correcting the listing by hand, or reject
it with a reason; the reporter, if they left an address, is told. Administrators approve or
reject requests for access; approving sends the new coordinator a one-time password link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from ...domain import access_requests, password_links, reports
from ...domain.accounts import AccountError
from ...domain.audit import as_text
from ...domain.models import AccessRequest, CorrectionReport, LinkPurpose, User
from ...domain.operations import may_act_on
from ...extensions import db
from .. import notifications
from .forms import AnswerForm, field_label
from .views import admins_only, back_to, me, readable, signed_in


@dataclass
class QueuedReport:
    """An open report as the queue shows it: the field, the suggestion, the value now."""

    report: CorrectionReport
    label: str
    current: str | None
    suggestion: reports.Suggestion


# The dashboard shows this many open reports, the oldest first; the count says how many wait.
QUEUE_SHOWN = 50


def report_queue(user: User) -> list[QueuedReport]:
    """The oldest open reports the user may resolve, with whether each can be applied as it
    is."""
    found = db.session.execute(reports.reports_for(user).limit(QUEUE_SHOWN)).scalars().all()
    if not found:
        return []
    choices = reports.current_choices()
    return [
        QueuedReport(
            report=report,
            label=field_label(report.field) if report.field != reports.OTHER else "",
            current=None
            if report.field == reports.OTHER
            else readable(report.field, as_text(reports.current_value(report))),
            suggestion=reports.suggestion(report, choices),
        )
        for report in found
    ]


def dashboard_context() -> dict[str, Any]:
    """What the dashboard shows of visitors and staff: the open reports, and for an
    administrator how many requests for access wait. A context processor of the workspace,
    so it adds to the dashboard only."""
    if request.endpoint != "manage.index" or not current_user.is_authenticated:
        return {}
    user = me()
    queue = report_queue(user)
    return {
        "report_queue": queue,
        "open_reports": len(queue)
        if len(queue) < QUEUE_SHOWN
        else db.session.execute(
            select(func.count()).select_from(reports.reports_for(user).subquery())
        ).scalar_one(),
        "open_access_requests": access_requests.count_open_access_requests()
        if user.is_admin
        else 0,
    }


# ---------------------------------------------------------------- reports


def report_for_action(report_id: int) -> CorrectionReport:
    """The report, if the signed-in user may resolve it: 404 when missing, else 403."""
    report = reports.report_by_id(report_id)
    if report is None:
        abort(404)
    if not may_act_on(me(), report.technopark):
        abort(403)
    return report


def back_to_queue() -> str:
    return back_to(url_for(".index", _anchor="reports"))


def already_closed() -> None:
    db.session.rollback()
    flash(_("This report was already resolved."), "info")


@signed_in
def report_apply(report_id: int):
    report = report_for_action(report_id)
    suggestion = reports.suggestion(report, reports.current_choices())
    if not suggestion.applicable:
        flash(
            _(
                "The suggestion cannot be saved as it is: %(reason)s Correct the listing in "
                "the edit form, then mark the report done.",
                reason=suggestion.problem,
            ),
            "error",
        )
        return redirect(back_to_queue())
    try:
        reports.apply_report(report, suggestion.values, me())
        notifications.report_resolved(report)
        db.session.commit()
    except reports.ReportClosed:
        already_closed()
    except StaleDataError:
        # A colleague saved the technopark meanwhile; the queue shows the value now.
        db.session.rollback()
        flash(_("Someone saved this technopark at the same moment. Please try again."), "error")
    else:
        flash(
            _(
                "Applied: %(field)s of %(name)s is corrected.",
                field=field_label(report.field),
                name=report.technopark.name,
            ),
            "success",
        )
    return redirect(back_to_queue())


@signed_in
def report_done(report_id: int):
    report = report_for_action(report_id)
    try:
        reports.mark_report_done(report, me())
        notifications.report_resolved(report)
        db.session.commit()
    except reports.ReportClosed:
        already_closed()
    else:
        flash(_("The report is marked done."), "success")
    return redirect(back_to_queue())


@signed_in
def report_reject(report_id: int):
    report = report_for_action(report_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the reason for rejecting the report: the reporter is told."), "error")
        return redirect(back_to_queue())
    try:
        reports.reject_report(report, me(), form.reason.data)
        notifications.report_resolved(report)
        db.session.commit()
    except reports.ReportClosed:
        already_closed()
    else:
        flash(_("The report is rejected."), "success")
    return redirect(back_to_queue())


# ---------------------------------------------------------------- access requests


def access_request_or_404(request_id: int) -> AccessRequest:
    access_request = access_requests.access_request_by_id(request_id)
    if access_request is None:
        abort(404)
    return access_request


@admins_only
def access_request_list():
    requests = access_requests.open_access_requests()
    matches = {item.id: access_requests.domain_match(item) for item in requests}
    return render_template("manage/access_request_list.html", requests=requests, matches=matches)


@admins_only
def access_request_approve(request_id: int):
    access_request = access_request_or_404(request_id)
    try:
        user, created = access_requests.approve_access_request(access_request, me())
    except access_requests.RequestClosed:
        db.session.rollback()
        flash(_("This request was already answered."), "info")
        return redirect(url_for(".access_request_list"))
    except AccountError:
        db.session.rollback()
        flash(
            _(
                "The account %(email)s is deactivated: reactivate it on the accounts page "
                "first, then approve the request.",
                email=access_request.email,
            ),
            "error",
        )
        return redirect(url_for(".access_request_list"))
    token = None
    if created:
        token = password_links.issue_link(
            user, LinkPurpose.WELCOME, current_app.config["PASSWORD_LINK_MAX_AGE"]
        )
    notifications.access_approved(access_request, user, token)
    db.session.commit()
    if created:
        message = _(
            "Approved: an account for %(email)s is created and a link to choose a password "
            "is on its way.",
            email=user.email,
        )
    else:
        message = _(
            "Approved: %(email)s may now edit %(name)s and is told so by email.",
            email=user.email,
            name=access_request.technopark.name,
        )
    flash(message, "success")
    return redirect(url_for(".access_request_list"))


@admins_only
def access_request_reject(request_id: int):
    access_request = access_request_or_404(request_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the reason for rejecting the request: the person is told."), "error")
        return redirect(url_for(".access_request_list", _anchor=f"access-request-{request_id}"))
    try:
        access_requests.reject_access_request(access_request, me(), form.reason.data)
        notifications.access_rejected(access_request)
        db.session.commit()
    except access_requests.RequestClosed:
        db.session.rollback()
        flash(_("This request was already answered."), "info")
    else:
        flash(_("The request is rejected and the person is told why."), "success")
    return redirect(url_for(".access_request_list"))

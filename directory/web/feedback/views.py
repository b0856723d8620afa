"""Visitors report a mistake on a profile; a technopark's staff ask for access.

Neither needs an account. Both forms carry a CSRF token and a honeypot, and each address
may send only so many (Flask-Limiter, in the storage that counts failed sign-ins). The
report form also sits on the profile, which is cached for anonymous visitors and so holds
no token: a small script asks /csrf-token for one when the form is sent, and a visitor
without scripts gets the form back, filled in, with a token, to send once more.
"""

from __future__ import annotations

import time

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, generate_csrf

from ...domain import access_requests, reports
from ...domain.models import Technopark
from ...domain.records import published_technopark
from ...extensions import db, limiter
from .. import notifications
from ..auth.views import form_expired
from ..i18n import current_language
from .forms import AccessRequestForm, ReportForm


def reports_per_address() -> str:
    return current_app.config["REPORTS_PER_ADDRESS"]


def access_requests_per_address() -> str:
    return current_app.config["ACCESS_REQUESTS_PER_ADDRESS"]


def public_technopark(slug: str) -> Technopark:
    technopark = published_technopark(slug)
    if technopark is None:
        abort(404)
    return technopark


def no_store(response: Response) -> Response:
    """Pages with a token or a personal answer are kept by no cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- reporting a mistake


@limiter.limit(reports_per_address, key_func=get_remote_address, methods=["POST"])
def report_new(slug: str):
    technopark = public_technopark(slug)
    form = ReportForm()
    if form.validate_on_submit():
        if not form.filled_by_a_robot():
            report = reports.submit_report(
                technopark,
                form.field.data,
                form.correction.data,
                form.email.data,
                current_language(),
            )
            notifications.report_received(report)
            db.session.commit()
        # A robot is thanked like a person, and learns nothing.
        return redirect(url_for(".report_thanks", slug=slug))
    return no_store(
        current_app.make_response(
            render_template("feedback/report_new.html", technopark=technopark, form=form)
        )
    )


def report_thanks(slug: str):
    technopark = public_technopark(slug)
    return render_template("feedback/report_thanks.html", technopark=technopark)


# ---------------------------------------------------------------- asking for access


@limiter.limit(access_requests_per_address, key_func=get_remote_address, methods=["POST"])
def access_new(slug: str):
    technopark = public_technopark(slug)
    form = AccessRequestForm()
    if form.validate_on_submit():
        if not form.filled_by_a_robot():
            access_request, created = access_requests.submit_access_request(
                technopark,
                form.name.data,
                form.position.data,
                form.email.data,
                form.message.data,
                current_language(),
            )
            if created:
                notifications.access_requested(access_request)
            db.session.commit()
        return redirect(url_for(".access_thanks", slug=slug))
    return no_store(
        current_app.make_response(
            render_template("feedback/access_new.html", technopark=technopark, form=form)
        )
    )


def access_thanks(slug: str):
    technopark = public_technopark(slug)
    return render_template("feedback/access_thanks.html", technopark=technopark)


# ---------------------------------------------------------------- tokens and refusals

# The visitors' forms, by endpoint, and the page each is filled in on.
VISITOR_FORMS = {
    "feedback.report_new": (ReportForm, "feedback/report_new.html"),
    "feedback.access_new": (AccessRequestForm, "feedback/access_new.html"),
}


def csrf_token():
    """A token for the report form on a cached profile, asked for only when it is sent."""
    return no_store(jsonify(csrf_token=generate_csrf()))


def form_without_token(error: CSRFError):
    """A visitor's form that came without a valid token is shown again, filled in, to send.

    Nothing is stored: the token proves the form was filled in on this site.
    """
    slug = (request.view_args or {}).get("slug")
    technopark = published_technopark(slug) if slug else None
    if technopark is None or request.endpoint not in VISITOR_FORMS:
        return form_expired(error)
    form_class, template = VISITOR_FORMS[request.endpoint]
    page = render_template(template, technopark=technopark, form=form_class(), send_again=True)
    return no_store(current_app.make_response(page))


def too_many_requests(error: Exception):
    limit = limiter.current_limit
    retry_after = max(1, int(limit.reset_at - time.time())) if limit else 3600
    response = current_app.make_response(
        (render_template("feedback/too_many.html", minutes=-(-retry_after // 60)), 429)
    )
    response.headers["Retry-After"] = str(retry_after)
    return response

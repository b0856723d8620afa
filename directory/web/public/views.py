"""Public pages: the list of technoparks, a technopark's profile, and the health check."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ...domain.records import (
    organization_with_technoparks,
    program_with_technoparks,
    public_news,
    published_only,
    published_technopark,
)
from ...domain.reports import corrections_made
from ...domain.search import all_directions, city_choices, search_technoparks
from ...extensions import db
from ..caching import cached_page
from ..feedback.forms import ReportForm
from ..schema_org import educational_organization
from ..search_params import read_search_query, url_with


@cached_page
def index():
    query = read_search_query(request.args)
    search = search_technoparks(
        query.filters, query.origin, query.radius_km, query.page, query.per_page
    )
    page = render_template(
        "public/index.html",
        technoparks=search.technoparks,
        search=search,
        query=query,
        cities=city_choices(),
        directions=all_directions(),
        url_with=url_with,
    )
    # The page still lists what the valid filters find, but says the request was bad.
    return page, 400 if query.errors else 200


@cached_page
def technopark_detail(slug: str):
    technopark = published_technopark(slug)
    if technopark is None:
        abort(404)
    structured_data = educational_organization(
        technopark, url_for("public.technopark_detail", slug=slug, _external=True)
    )
    return render_template(
        "public/technopark_detail.html",
        technopark=technopark,
        structured_data=structured_data,
        corrections=corrections_made(technopark.id),
        # Rendered without a token, which would put one in the session and end caching.
        report_form=ReportForm(formdata=None, meta={"csrf": False}),
    )


def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@cached_page
def organization_detail(slug: str):
    organization = organization_with_technoparks(slug)
    if organization is None:
        abort(404)
    return render_template(
        "public/organization_detail.html",
        organization=organization,
        technoparks=published_only(organization.technoparks),
    )


@cached_page
def program_detail(slug: str):
    program = program_with_technoparks(slug)
    if program is None:
        abort(404)
    return render_template(
        "public/program_detail.html",
        program=program,
        technoparks=published_only(program.technoparks),
    )


@cached_page
def news_list():
    return render_template("public/news_list.html", articles=public_news())

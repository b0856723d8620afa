"""Public pages: the list of technoparks, a technopark's profile, and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..records import (
    news_newest_first,
    organization_with_technoparks,
    program_with_technoparks,
    published_only,
    published_technopark,
)
from ..schema_org import educational_organization
from ..search import published_technoparks

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    technoparks = db.session.execute(published_technoparks()).scalars().all()
    return render_template("public/index.html", technoparks=technoparks)


@bp.get("/technoparks/<slug>")
def technopark_detail(slug: str):
    technopark = published_technopark(slug)
    if technopark is None:
        abort(404)
    structured_data = educational_organization(
        technopark, url_for("public.technopark_detail", slug=slug, _external=True)
    )
    return render_template(
        "public/technopark_detail.html", technopark=technopark, structured_data=structured_data
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


@bp.get("/organizations/<slug>")
def organization_detail(slug: str):
    organization = organization_with_technoparks(slug)
    if organization is None:
        abort(404)
    return render_template(
        "public/organization_detail.html",
        organization=organization,
        technoparks=published_only(organization.technoparks),
    )


@bp.get("/programs/<slug>")
def program_detail(slug: str):
    program = program_with_technoparks(slug)
    if program is None:
        abort(404)
    return render_template(
        "public/program_detail.html",
        program=program,
        technoparks=published_only(program.technoparks),
    )


@bp.get("/news")
def news_list():
    return render_template("public/news_list.html", articles=news_newest_first())

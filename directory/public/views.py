"""Public pages: the list of technoparks, a technopark's profile, and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..filters import read_search_query, url_with
from ..formatting import kilometres
from ..records import published_technopark
from ..search import all_directions, public_cities, search_technoparks

bp = Blueprint("public", __name__)


@bp.get("/")
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
        cities=public_cities(),
        directions=all_directions(),
        url_with=url_with,
        kilometres=kilometres,
    )
    # The page still lists what the valid filters find, but says the request was bad.
    return page, 400 if query.errors else 200


@bp.get("/technoparks/<slug>")
def technopark_detail(slug: str):
    technopark = published_technopark(slug)
    if technopark is None:
        abort(404)
    return render_template("public/technopark_detail.html", technopark=technopark)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")

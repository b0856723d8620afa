"""Public pages: the list of technoparks, a technopark's profile, and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..records import published_technopark
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
    return render_template("public/technopark_detail.html", technopark=technopark)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")

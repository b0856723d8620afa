"""Single published records by slug, with what their pages show loaded up front."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import Technopark


def published_technopark(slug: str) -> Technopark | None:
    """The published technopark with this slug and its host, programme, directions and news."""
    return db.session.execute(
        select(Technopark)
        .where(Technopark.slug == slug, Technopark.published.is_(True))
        .options(
            selectinload(Technopark.host_organization),
            selectinload(Technopark.program),
            selectinload(Technopark.directions),
            selectinload(Technopark.news),
        )
    ).scalar_one_or_none()

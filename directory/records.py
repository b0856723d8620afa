"""Single published records by slug, with what their pages show loaded up front."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import NewsArticle, Organization, Program, Technopark


def published_technopark(slug: str) -> Technopark | None:
    """The published technopark with this slug and its host, programme, directions and news."""
    return db.session.execute(
        select(Technopark)
        .where(
            Technopark.slug == slug,
            Technopark.published.is_(True),
            Technopark.synthetic.is_(False),
        )
        .options(
            selectinload(Technopark.host_organization),
            selectinload(Technopark.program),
            selectinload(Technopark.directions),
            selectinload(Technopark.news),
        )
    ).scalar_one_or_none()


def organization_with_technoparks(slug: str) -> Organization | None:
    """A host organisation by slug, with its published technoparks loaded."""
    return db.session.execute(
        select(Organization)
        .where(Organization.slug == slug)
        .options(selectinload(Organization.technoparks))
    ).scalar_one_or_none()


def program_with_technoparks(slug: str) -> Program | None:
    """A programme by slug, with its technoparks loaded."""
    return db.session.execute(
        select(Program).where(Program.slug == slug).options(selectinload(Program.technoparks))
    ).scalar_one_or_none()


def published_only(technoparks: list[Technopark]) -> list[Technopark]:
    """The published, real listings among these, by name."""
    return sorted((t for t in technoparks if t.published and not t.synthetic), key=lambda t: t.name)


def news_newest_first() -> list[NewsArticle]:
    """Every article, newest first (undated last), with the technoparks it covers."""
    return list(
        db.session.execute(
            select(NewsArticle)
            .options(selectinload(NewsArticle.technoparks))
            .order_by(NewsArticle.published_on.desc().nulls_last(), NewsArticle.id)
        ).scalars()
    )

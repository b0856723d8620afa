"""Published records: one technopark by slug, and the news about public technoparks."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import NewsArticle, Organization, Program, Technopark
from .public import is_public, public_conditions


def technopark_with_details(slug: str) -> Select[tuple[Technopark]]:
    """The technopark with this slug, published or not, with what its pages show loaded."""
    return (
        select(Technopark)
        .where(Technopark.slug == slug)
        .options(
            selectinload(Technopark.host_organization),
            selectinload(Technopark.program),
            selectinload(Technopark.directions),
            selectinload(Technopark.news),
        )
    )


def published_technopark(slug: str) -> Technopark | None:
    """The published technopark with this slug and its host, programme, directions and news."""
    if "\x00" in slug:
        # No slug holds NUL, and PostgreSQL refuses it in a query: answer "not found" instead.
        return None
    return db.session.execute(
        technopark_with_details(slug).where(*public_conditions())
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
    return sorted(filter(is_public, technoparks), key=lambda technopark: technopark.name)


def public_news() -> list[NewsArticle]:
    """News articles, newest first, each with its technoparks loaded.

    An article linked only to unpublished technoparks stays hidden with them.
    """
    articles = db.session.execute(
        select(NewsArticle)
        .options(selectinload(NewsArticle.technoparks))
        .order_by(NewsArticle.published_on.desc().nulls_last(), NewsArticle.id.desc())
    ).scalars()
    return [
        article
        for article in articles
        if not article.technoparks or any(is_public(park) for park in article.technoparks)
    ]

"""The one query behind the public list, the map data and the API."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from .models import Technopark
from .text import fold


def published_technoparks() -> Select[tuple[Technopark]]:
    """Published, non-synthetic technoparks by name, with what the list shows loaded up front."""
    return (
        select(Technopark)
        .where(Technopark.published.is_(True), Technopark.synthetic.is_(False))
        .options(
            selectinload(Technopark.host_organization),
            selectinload(Technopark.directions),
        )
        .order_by(Technopark.city, Technopark.name)
    )


def searchable_text(technopark: Technopark) -> str:
    """The folded words a text query matches: name, network, host, directions, place."""
    host = technopark.host_organization
    parts = [
        technopark.name,
        technopark.network,
        host.name if host else None,
        *(direction.name for direction in technopark.directions),
        *(direction.name_en for direction in technopark.directions),
        technopark.city,
        technopark.district,
        technopark.address,
    ]
    return fold(" ".join(part for part in parts if part))


def refresh_search_text(technopark: Technopark) -> None:
    """Recompute the stored search words after any change to what they are made of."""
    technopark.search_text = searchable_text(technopark)

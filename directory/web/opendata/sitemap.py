"""The public pages a search engine should find: the map, the news, profiles, hosts, programmes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...domain.dates import as_utc
from ...domain.models import Technopark
from ...domain.public import public_conditions
from ...extensions import db


@dataclass(frozen=True)
class Page:
    """A public page by endpoint and URL values, with when it last changed if known."""

    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    last_modified: date | None = None


def public_pages() -> list[Page]:
    """Every public page: each published profile, and the host and programme pages that
    list at least one published technopark; in a stable order."""
    technoparks = sorted(
        db.session.execute(
            select(Technopark)
            .where(*public_conditions())
            .options(selectinload(Technopark.host_organization), selectinload(Technopark.program))
        ).scalars(),
        key=lambda technopark: technopark.slug,
    )
    hosts = sorted({t.host_organization.slug for t in technoparks if t.host_organization})
    programs = sorted({t.program.slug for t in technoparks if t.program})
    return [
        Page("public.index"),
        Page("public.news_list"),
        *(
            Page(
                "public.technopark_detail",
                {"slug": technopark.slug},
                as_utc(technopark.updated_at).date(),
            )
            for technopark in technoparks
        ),
        *(Page("public.program_detail", {"slug": slug}) for slug in programs),
        *(Page("public.organization_detail", {"slug": slug}) for slug in hosts),
    ]

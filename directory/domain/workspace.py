"""What the workspace reads: my technoparks, what needs attention, history, form choices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .dates import as_utc
from .models import (
    AuditEntry,
    Direction,
    LocationPrecision,
    NewsArticle,
    Organization,
    Program,
    Technopark,
    User,
    coordinator_grant,
)
from .records import technopark_with_details

# A listing nobody has confirmed for this long may no longer be true.
CONFIRMATION_MAX_AGE = timedelta(days=365)


def technoparks_for(user: User) -> Select[tuple[Technopark]]:
    """The technoparks the user may act on (an admin: every real one), by city and name."""
    statement = (
        select(Technopark)
        .where(Technopark.synthetic.is_(False))
        .options(selectinload(Technopark.directions))
        .order_by(Technopark.city, Technopark.name)
    )
    if not user.is_admin:
        statement = statement.join(
            coordinator_grant, coordinator_grant.c.technopark_id == Technopark.id
        ).where(coordinator_grant.c.user_id == user.id)
    return statement


def attention_reasons(technopark: Technopark, now: datetime) -> list[str]:
    """Why a listing needs its coordinator: draft, position, unconfirmed, ages, directions,
    contacts."""
    reasons = []
    if not technopark.published:
        reasons.append("draft")
    if not technopark.has_position or technopark.location_precision != LocationPrecision.BUILDING:
        reasons.append("position")
    verified_at = as_utc(technopark.verified_at)
    if verified_at is None or verified_at < now - CONFIRMATION_MAX_AGE:
        reasons.append("unconfirmed")
    if technopark.age_min is None or technopark.age_max is None:
        reasons.append("ages")
    if not technopark.directions:
        reasons.append("directions")
    if not (technopark.phone or technopark.email or technopark.website):
        reasons.append("contacts")
    return reasons


def technopark_by_slug(slug: str) -> Technopark | None:
    """Any technopark, published or not, with what the edit page shows loaded."""
    return db.session.execute(technopark_with_details(slug)).scalar_one_or_none()


@dataclass
class HistoryEvent:
    """One save: who, when, which action, and the fields it changed."""

    created_at: datetime
    action: str
    who: str | None
    entries: list[AuditEntry] = field(default_factory=list)

    @property
    def changes(self) -> list[AuditEntry]:
        return [entry for entry in self.entries if entry.field is not None]


@dataclass
class HistoryPage:
    """One page of a record's history, newest first."""

    events: list[HistoryEvent]
    page: int
    pages: int


def technopark_history(technopark: Technopark, page: int = 1, per_page: int = 20) -> HistoryPage:
    """The technopark's saves, newest first, a page at a time; each save's rows together.

    The rows of one action share its time (operations.log_changes), so a page is the rows of
    per_page distinct times.
    """
    mine = (AuditEntry.entity_type == "technopark", AuditEntry.entity_id == technopark.id)
    moments = select(AuditEntry.created_at).where(*mine).distinct()
    total = db.session.execute(select(func.count()).select_from(moments.subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    shown = list(
        db.session.execute(
            moments.order_by(AuditEntry.created_at.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).scalars()
    )
    entries = db.session.execute(
        select(AuditEntry)
        .where(*mine, AuditEntry.created_at.in_(shown))
        .options(selectinload(AuditEntry.user))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    ).scalars()
    return HistoryPage(group_into_events(entries), page, pages)


def group_into_events(entries: Iterable[AuditEntry]) -> list[HistoryEvent]:
    """Rows, newest first, grouped into the saves that wrote them."""
    events: list[HistoryEvent] = []
    for entry in entries:
        who = entry.user.name if entry.user else entry.actor
        created_at = as_utc(entry.created_at)
        last = events[-1] if events else None
        if (
            last is None
            or last.action != entry.action
            or last.who != who
            or last.created_at != created_at
        ):
            last = HistoryEvent(created_at=created_at, action=entry.action, who=who)
            events.append(last)
        last.entries.append(entry)
    for event in events:
        event.entries.reverse()
    return events


def audit_entry_of(technopark: Technopark, entry_id: int) -> AuditEntry | None:
    """One history row of this technopark, for its values in full."""
    return db.session.execute(
        select(AuditEntry).where(
            AuditEntry.id == entry_id,
            AuditEntry.entity_type == "technopark",
            AuditEntry.entity_id == technopark.id,
        )
    ).scalar_one_or_none()


def organization_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Organization.slug, Organization.name).order_by(Organization.name)
    )
    return [(slug, name) for slug, name in rows]


def program_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Program.slug, Program.name).order_by(Program.name))
    return [(slug, name) for slug, name in rows]


def direction_choices(language: str) -> list[tuple[str, str]]:
    column = Direction.name_en if language == "en" else Direction.name
    rows = db.session.execute(select(Direction.slug, column).order_by(column))
    return [(slug, name) for slug, name in rows]


def names_by_slug(language: str) -> dict[str, dict[str, str]]:
    """{field: {slug: name}} for the fields the history stores as slugs."""
    return {
        "host_organization": dict(organization_choices()),
        "program": dict(program_choices()),
        "directions": dict(direction_choices(language)),
    }


def organization_by_slug(slug: str) -> Organization | None:
    if not slug:
        return None
    return db.session.execute(
        select(Organization).where(Organization.slug == slug)
    ).scalar_one_or_none()


def program_by_slug(slug: str) -> Program | None:
    if not slug:
        return None
    return db.session.execute(select(Program).where(Program.slug == slug)).scalar_one_or_none()


def news_article(article_id: int) -> NewsArticle | None:
    return db.session.execute(
        select(NewsArticle)
        .where(NewsArticle.id == article_id)
        .options(selectinload(NewsArticle.technoparks))
    ).scalar_one_or_none()


def all_users() -> list[User]:
    return list(
        db.session.execute(
            select(User).options(selectinload(User.technoparks)).order_by(User.name)
        ).scalars()
    )

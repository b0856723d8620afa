"""Writes shared by the workspace and the command line; each flushes, the caller commits.

Every change to a technopark writes its AuditEntry rows in the same transaction and
marks the record as edited by a person, so the seed never overwrites it afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from ..extensions import db
from .accounts import grant_technopark
from .audit import record_changes
from .columns import NEWS_FIELDS, TECHNOPARK_FIELDS
from .history import comparable
from .models import (
    Direction,
    NewsArticle,
    Organization,
    Program,
    Technopark,
    User,
    utcnow,
)
from .search import refresh_search_text
from .text import slugify

# ---------------------------------------------------------------- history and who may act


def log_changes(
    entity_type: str,
    entity_id: int,
    action: str,
    changes: Mapping[str, tuple[Any, Any]],
    user: User | None,
    actor: str | None = None,
    version: int | None = None,
) -> None:
    """Audit rows for one action, all with the same time, so the history shows it as one.

    A command acting for nobody in particular passes no user and names itself as the actor.
    An action that raised the record's version passes the new version.
    """
    moment = utcnow()
    rows = record_changes(
        entity_type, entity_id, action, changes, user=user, actor=actor, version=version
    )
    for row in rows:
        row.created_at = moment


def may_act_on(user: User, technopark: Technopark) -> bool:
    """Whether the user may edit, confirm and attach news to this technopark."""
    return user.is_admin or any(granted.id == technopark.id for granted in user.technoparks)


# ---------------------------------------------------------------- slugs


def unique_slug(name: str, model: type[Technopark | Organization | Program] = Technopark) -> str:
    """slugify(name), with -2, -3… added when another row of the model has it already."""
    base = slugify(name)
    taken = set(
        db.session.execute(
            select(model.slug).where((model.slug == base) | model.slug.startswith(base + "-"))
        ).scalars()
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


# ---------------------------------------------------------------- technoparks


def technopark_changes(
    technopark: Technopark, values: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """{field: (stored, given)} for every given field that differs from the record."""
    changes = {}
    for field in TECHNOPARK_FIELDS:
        if field not in values:
            continue
        old = comparable(field, getattr(technopark, field))
        new = comparable(field, values[field])
        if old != new:
            changes[field] = (old, new)
    return changes


def apply_values(technopark: Technopark, values: Mapping[str, Any]) -> None:
    """Set every given field; directions are replaced as a whole."""
    for field in TECHNOPARK_FIELDS:
        if field in values:
            setattr(
                technopark, field, list(values[field]) if field == "directions" else values[field]
            )


def create_technopark(values: Mapping[str, Any], user: User) -> Technopark:
    """A new draft with a unique slug; a coordinator who creates it is granted it."""
    technopark = Technopark(
        slug=unique_slug(values["name"]),
        published=False,
        edited_by=user,
        facts_updated_at=utcnow(),
    )
    changes = technopark_changes(technopark, values)
    apply_values(technopark, values)
    refresh_search_text(technopark)
    db.session.add(technopark)
    if not user.is_admin:
        user.technoparks.append(technopark)
    db.session.flush()
    changes = {"slug": (None, technopark.slug), **changes, "published": (None, False)}
    log_changes("technopark", technopark.id, "create", changes, user=user, version=1)
    db.session.flush()
    return technopark


def update_technopark(
    technopark: Technopark, values: Mapping[str, Any], user: User
) -> dict[str, tuple[Any, Any]]:
    """Apply the values and return what changed; nothing is written when nothing differs.

    The flush runs UPDATE … WHERE version = the loaded version, so a colleague's save in
    between raises StaleDataError instead of being overwritten.
    """
    changes = technopark_changes(technopark, values)
    if not changes:
        return changes
    apply_values(technopark, values)
    mark_edited(technopark, user)
    technopark.facts_updated_at = technopark.updated_at
    refresh_search_text(technopark)
    db.session.flush()
    log_changes("technopark", technopark.id, "edit", changes, user=user, version=technopark.version)
    db.session.flush()
    return changes


def mark_edited(technopark: Technopark, user: User) -> None:
    """Note a person's change; setting updated_at also makes a directions-only change
    update the row, so its version is checked and raised like any other."""
    technopark.edited_by = user
    technopark.updated_at = utcnow()


def publish_technopark(technopark: Technopark, user: User) -> bool:
    """Make a draft public; False when it already was."""
    if technopark.published:
        return False
    technopark.published = True
    mark_edited(technopark, user)
    db.session.flush()
    log_changes(
        "technopark",
        technopark.id,
        "publish",
        {"published": (False, True)},
        user=user,
        version=technopark.version,
    )
    db.session.flush()
    return True


def confirm_technopark(technopark: Technopark, user: User) -> None:
    """Record that the coordinator checked the facts and found them current."""
    previous = technopark.verified_at
    technopark.verified_at = utcnow()
    mark_edited(technopark, user)
    db.session.flush()
    log_changes(
        "technopark",
        technopark.id,
        "confirm",
        {"verified_at": (previous, technopark.verified_at)},
        user=user,
        version=technopark.version,
    )
    db.session.flush()


def directions_by_slug(slugs: Iterable[str]) -> list[Direction]:
    """The directions with these slugs, in the order given; unknown slugs are left out."""
    wanted = list(slugs)
    rows = {
        row.slug: row
        for row in db.session.execute(select(Direction).where(Direction.slug.in_(wanted))).scalars()
    }
    return [rows[slug] for slug in wanted if slug in rows]


# ---------------------------------------------------------------- news


def news_article_by_url(url: str) -> NewsArticle | None:
    """The stored article with exactly this URL (surrounding blanks ignored)."""
    return db.session.execute(
        select(NewsArticle).where(NewsArticle.url == url.strip())
    ).scalar_one_or_none()


def add_news_article(
    values: Mapping[str, Any], technoparks: Iterable[Technopark], user: User
) -> tuple[NewsArticle, bool]:
    """Store a new article and link it; a URL already stored links that article instead.

    Returns the article and whether it was created.
    """
    article = news_article_by_url(values["url"])
    created = article is None
    if article is None:
        article = NewsArticle(**{field: values.get(field) for field in NEWS_FIELDS})
        article.url = article.url.strip()
        db.session.add(article)
        db.session.flush()
        changes = {field: (None, getattr(article, field)) for field in NEWS_FIELDS}
        log_changes(
            "news_article", article.id, "create", changes, user=user, version=article.version
        )
    link_news(article, technoparks, user)
    db.session.flush()
    return article, created


def update_news_article(
    article: NewsArticle, values: Mapping[str, Any], user: User
) -> dict[str, tuple[Any, Any]]:
    """Change the article's own fields and return what changed."""
    changes = {}
    for field in NEWS_FIELDS:
        if field in values and getattr(article, field) != values[field]:
            changes[field] = (getattr(article, field), values[field])
            setattr(article, field, values[field])
    if changes:
        db.session.flush()
        log_changes("news_article", article.id, "edit", changes, user=user, version=article.version)
        db.session.flush()
    return changes


def link_news(
    article: NewsArticle, technoparks: Iterable[Technopark], user: User
) -> list[Technopark]:
    """Link the article to each technopark not yet linked; returns the new links."""
    linked = []
    for technopark in technoparks:
        if technopark in article.technoparks:
            continue
        article.technoparks.append(technopark)
        linked.append(technopark)
        log_changes(
            "technopark", technopark.id, "link_news", {"news": (None, article.url)}, user=user
        )
    db.session.flush()
    return linked


def unlink_news(
    article: NewsArticle, technoparks: Iterable[Technopark], user: User
) -> list[Technopark]:
    """Remove the article's links to these technoparks; returns the removed links."""
    unlinked = []
    for technopark in technoparks:
        if technopark not in article.technoparks:
            continue
        article.technoparks.remove(technopark)
        unlinked.append(technopark)
        log_changes(
            "technopark", technopark.id, "unlink_news", {"news": (article.url, None)}, user=user
        )
    db.session.flush()
    return unlinked


def relink_news(
    article: NewsArticle,
    technoparks: Iterable[Technopark],
    linked_when_opened: set[str],
    chosen: set[str],
    user: User,
) -> None:
    """Apply the links a person added and removed among these technoparks since their form
    opened; a link a colleague added or removed meanwhile stays as they left it."""
    technoparks = list(technoparks)
    link_news(article, [tp for tp in technoparks if tp.slug in chosen - linked_when_opened], user)
    unlink_news(article, [tp for tp in technoparks if tp.slug in linked_when_opened - chosen], user)


# ---------------------------------------------------------------- accounts


def grant(user: User, technopark: Technopark, by: User) -> bool:
    """Let the user coordinate the technopark; False when they already did."""
    if technopark in user.technoparks:
        return False
    grant_technopark(user, technopark.slug)
    log_changes("user", user.id, "grant", {"technopark": (None, technopark.slug)}, user=by)
    db.session.flush()
    return True


def revoke(user: User, technopark: Technopark, by: User) -> bool:
    """Stop the user coordinating the technopark; False when they did not."""
    if technopark not in user.technoparks:
        return False
    user.technoparks.remove(technopark)
    log_changes("user", user.id, "revoke", {"technopark": (technopark.slug, None)}, user=by)
    db.session.flush()
    return True


def set_active(user: User, active: bool, by: User) -> bool:
    """Deactivate or reactivate an account; deactivating ends every session it has."""
    if user.active == active:
        return False
    user.active = active
    if not active:
        user.end_every_sign_in()
    log_changes("user", user.id, "activate" if active else "deactivate", {}, user=by)
    db.session.flush()
    return True


def change_password(user: User, password: str) -> None:
    """Store a new password, which ends every sign-in of the account."""
    user.set_password(password)
    log_changes("user", user.id, "change_password", {}, user=user)
    db.session.flush()

"""The checked rows written in one transaction: created, updated or unchanged, with history.

Nothing is written unless every row passed validation.check_rows. Hosts, programmes,
directions and news articles a row names are created when missing. Each changed
technopark counts as edited by a person: by the signed-in administrator on the web, or,
from the command line, by "import" in its history, which the seed also respects.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ...domain.dates import as_utc
from ...domain.models import Direction, NewsArticle, Organization, Program, Technopark, User, utcnow
from ...domain.operations import apply_values, log_changes, technopark_changes, unique_slug
from ...domain.search import refresh_search_text
from ...extensions import db
from .rows import RowError, SourceFile
from .validation import Progress, Related, RowPlan, check_rows, error_order, no_progress

# Who an import acts as when no user is signed in; seed.py keeps records it wrote.
IMPORT_ACTOR = "import"
IMPORT_ACTION = "import"


class ImportConflict(RuntimeError):
    """The directory changed while the import wrote; the caller rolls back."""


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # ("organization", "created") → count, for hosts, programmes, directions and news.
    related: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[RowError] = field(default_factory=list)
    numbering: str = "line"

    @property
    def ok(self) -> bool:
        return not self.errors


def import_source(
    source: SourceFile, user: User | None, progress: Progress = no_progress
) -> ImportReport:
    """Check every row, then write them all, or nothing when any row is bad; flushes only."""
    plans, errors = check_rows(source.rows, progress)
    errors = sorted([*source.errors, *errors], key=error_order)
    if errors:
        return ImportReport(errors=errors, numbering=source.numbering)
    writer = ImportWriter(user, plans)
    # Rows without a slug come last, so a slug made from a name never takes one a row gives.
    ordered = sorted(plans, key=lambda plan: plan.slug is None)
    try:
        for plan in progress(ordered, _("Writing")):
            writer.write(plan)
        db.session.flush()
    except (IntegrityError, StaleDataError) as error:
        # Someone created or saved a technopark between the check and the write.
        raise ImportConflict(str(error)) from error
    return writer.report


class ImportWriter:
    """Writes plans with everything they refer to looked up once."""

    def __init__(self, user: User | None, plans: Sequence[RowPlan]) -> None:
        self.user = user
        self.actor = None if user is not None else IMPORT_ACTOR
        self.report = ImportReport()
        self.hosts = RelatedRows(Organization, "organization", "website")
        self.programs = RelatedRows(Program, "program", "url")
        self.directions = {row.slug: row for row in db.session.execute(select(Direction)).scalars()}
        urls = {url for plan in plans for url in plan.news_urls}
        self.articles = {
            article.url: article
            for article in db.session.execute(
                select(NewsArticle).where(NewsArticle.url.in_(urls))
            ).scalars()
        }

    def log(
        self,
        entity: str,
        entity_id: int,
        action: str,
        changes: dict[str, Any],
        version: int | None = None,
    ) -> None:
        log_changes(
            entity, entity_id, action, changes, user=self.user, actor=self.actor, version=version
        )

    def write(self, plan: RowPlan) -> None:
        values = dict(plan.values)
        values["host_organization"] = self.hosts.resolve(plan.host, self)
        values["program"] = self.programs.resolve(plan.program, self)
        values["directions"] = [self.direction(slug) for slug in plan.directions]
        if plan.fields is not None:
            # A row from an older version writes only what it changed (stale_rows.py).
            values = {name: value for name, value in values.items() if name in plan.fields}
        if plan.existing is None:
            self.create(plan, values)
        else:
            self.update(plan, plan.existing, values)

    def create(self, plan: RowPlan, values: dict[str, Any]) -> None:
        technopark = Technopark(slug=plan.slug or unique_slug(values["name"]))
        changes = technopark_changes(technopark, values)
        apply_values(technopark, values)
        technopark.published = plan.published
        technopark.unpublished_reason = plan.unpublished_reason
        technopark.verified_at = plan.verified_at
        technopark.edited_by = self.user
        technopark.facts_updated_at = utcnow()
        refresh_search_text(technopark)
        db.session.add(technopark)
        db.session.flush()
        changes = {"slug": (None, technopark.slug), **changes, "published": (None, plan.published)}
        if plan.unpublished_reason is not None:
            changes["unpublished_reason"] = (None, plan.unpublished_reason)
        if plan.verified_at is not None:
            changes["verified_at"] = (None, plan.verified_at)
        self.log("technopark", technopark.id, IMPORT_ACTION, changes, technopark.version)
        self.link_news(technopark, plan.news_urls)
        self.report.created += 1

    def update(self, plan: RowPlan, technopark: Technopark, values: dict[str, Any]) -> None:
        changes = technopark_changes(technopark, values)
        if technopark.published != plan.published:
            changes["published"] = (technopark.published, plan.published)
        if technopark.unpublished_reason != plan.unpublished_reason:
            changes["unpublished_reason"] = (
                technopark.unpublished_reason,
                plan.unpublished_reason,
            )
        if as_utc(technopark.verified_at) != plan.verified_at:
            changes["verified_at"] = (technopark.verified_at, plan.verified_at)
        linked = {article.url for article in technopark.news}
        new_links = [url for url in plan.news_urls if url not in linked]
        if not changes and not new_links:
            self.report.unchanged += 1
            return
        if changes:
            apply_values(technopark, values)
            technopark.published = plan.published
            technopark.unpublished_reason = plan.unpublished_reason
            technopark.verified_at = plan.verified_at
            # Also makes a directions-only change update the row, so its version is checked.
            technopark.edited_by = self.user
            technopark.updated_at = technopark.facts_updated_at = utcnow()
            refresh_search_text(technopark)
            db.session.flush()
            self.log("technopark", technopark.id, IMPORT_ACTION, changes, technopark.version)
        self.link_news(technopark, new_links)
        self.report.updated += 1

    def direction(self, slug: str) -> Direction:
        """The direction with this slug, created with the slug as its name when missing."""
        if slug not in self.directions:
            direction = self.directions[slug] = Direction(slug=slug, name=slug, name_en=slug)
            db.session.add(direction)
            db.session.flush()
            self.log("direction", direction.id, "create", {"slug": (None, slug)})
            self.report.related["direction", "created"] += 1
        return self.directions[slug]

    def link_news(self, technopark: Technopark, urls: Sequence[str]) -> None:
        """Link the articles, creating those not stored yet with their URL alone."""
        for url in urls:
            article = self.articles.get(url)
            if article is None:
                article = self.articles[url] = NewsArticle(url=url)
                db.session.add(article)
                db.session.flush()
                self.log("news_article", article.id, "create", {"url": (None, url)})
                self.report.related["news article", "created"] += 1
            technopark.news.append(article)
            self.log("technopark", technopark.id, "link_news", {"news": (None, url)})
        if urls:
            db.session.flush()


class RelatedRows:
    """Hosts or programmes by slug and by name, created or brought in line as rows name them."""

    def __init__(self, model: type[Organization | Program], kind: str, link: str) -> None:
        self.model, self.kind, self.link = model, kind, link
        rows = list(db.session.execute(select(model).order_by(model.slug)).scalars())
        self.by_slug = {row.slug: row for row in rows}
        self.by_name: dict[str, Organization | Program] = {}
        for row in rows:
            self.by_name.setdefault(row.name, row)

    def resolve(self, reference: Related | None, writer: ImportWriter) -> Any:
        """The row a reference names; a name alone finds a stored row by that exact name."""
        if reference is None:
            return None
        if reference.slug:
            row = self.by_slug.get(reference.slug)
        else:
            row = self.by_name.get(reference.name)
        if row is None:
            return self.create(reference, writer)
        changes = {}
        for attribute, value in (("name", reference.name), (self.link, reference.link)):
            if value and getattr(row, attribute) != value:
                changes[attribute] = (getattr(row, attribute), value)
                setattr(row, attribute, value)
        if changes:
            db.session.flush()
            writer.log(self.kind, row.id, "edit", changes)
            writer.report.related[self.kind, "updated"] += 1
        return row

    def create(self, reference: Related, writer: ImportWriter) -> Any:
        slug = reference.slug or unique_slug(reference.name, self.model)
        row = self.model(slug=slug, name=reference.name)
        setattr(row, self.link, reference.link)
        db.session.add(row)
        db.session.flush()
        self.by_slug[slug] = row
        self.by_name.setdefault(row.name, row)
        changes = {
            "slug": (None, slug),
            "name": (None, row.name),
            self.link: (None, reference.link),
        }
        writer.log(self.kind, row.id, "create", changes)
        writer.report.related[self.kind, "created"] += 1
        return row

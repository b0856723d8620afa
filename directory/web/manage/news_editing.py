"""Saving the news form: the article's fields merged with colleagues' saves, links as deltas.

The form carries the article's version and which of my technoparks were linked when it
opened. Its own fields are merged three ways like a technopark's (directory/domain/saving.py);
its links to my technoparks change only where I ticked or unticked one since, so a link a
colleague made meanwhile survives my save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...domain import operations
from ...domain.models import NewsArticle, Technopark, User
from ...domain.saving import Save, save_news_article
from .editing import kept_theirs, save_merged
from .forms import NewsForm


def news_form_data(article: NewsArticle, mine: list[Technopark]) -> dict[str, Any]:
    """The form's starting values: the article, my technoparks linked to it, its version."""
    linked = [technopark.slug for technopark in article.technoparks if technopark in mine]
    return {
        "url": article.url,
        "title": article.title,
        "outlet": article.outlet,
        "published_on": article.published_on,
        "summary": article.summary,
        "language": article.language,
        "technoparks": linked,
        "version": str(article.version),
        "linked": ",".join(sorted(linked)),
    }


def save_news_edit(
    load: Callable[[], NewsArticle], form: NewsForm, mine: list[Technopark], user: User
) -> tuple[NewsArticle, Save]:
    """Save the article's fields (merged) and my links (as deltas); commits unless it clashed."""
    keep = kept_theirs()
    chosen = set(form.technoparks.data or [])

    def save_one(article: NewsArticle) -> Save:
        values = {name: value for name, value in form.values().items() if name not in keep}
        save = save_news_article(article, values, user, form.submitted_version())
        if not save.clashes:
            opened = form.linked_when_opened()
            if opened is None:
                opened = {tp.slug for tp in article.technoparks if tp in mine}
            operations.relink_news(article, mine, opened, chosen, user)
        return save

    return save_merged(load, save_one)


def merged_news_data(article: NewsArticle, form: NewsForm, save: Save) -> dict[str, Any]:
    """The form after a clash: theirs where only they changed, mine elsewhere; my links as
    ticked, measured against the links as they were when I opened the form."""
    data = news_form_data(article, [])
    typed = form.values()
    for name in save.mine | {name for clash in save.clashes for name in clash.fields}:
        data[name] = typed[name]
    data["technoparks"] = list(form.technoparks.data or [])
    data["linked"] = form.linked.data or ""
    return data

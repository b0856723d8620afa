"""What is public: published, and never a synthetic benchmark record.

Every public output (the pages, the map data, the API, the downloads, the sitemap) asks here,
as SQL conditions for queries or as a test of one loaded record.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import ColumnElement

from .models import Direction, NewsArticle, Organization, Program, Technopark

# The records whose change can alter what a visitor sees.
PUBLIC_MODELS = (Technopark, Organization, Program, Direction, NewsArticle)


def shows_synthetic_records() -> bool:
    """Only a benchmark server, whose database holds synthetic records alone, shows them."""
    return bool(current_app.config["SHOW_SYNTHETIC_RECORDS"])


def public_conditions() -> list[ColumnElement[bool]]:
    """The WHERE clauses every public listing meets."""
    conditions = [Technopark.published.is_(True)]
    if not shows_synthetic_records():
        conditions.append(Technopark.synthetic.is_(False))
    return conditions


def is_public(technopark: Technopark) -> bool:
    """Whether a loaded technopark may appear in public output."""
    return technopark.published and (shows_synthetic_records() or not technopark.synthetic)

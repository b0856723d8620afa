"""Text folding for search: case and ё do not matter to a parent typing a name."""

from __future__ import annotations


def fold(value: str) -> str:
    """Lower-case with full Unicode folding, ё read as е, spaces collapsed."""
    return " ".join(value.casefold().replace("ё", "е").split())

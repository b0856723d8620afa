"""Text rules every layer shares: search folding, control characters, slugs from names."""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters. No keyboard types them; they come from pasted binary or from
# attacks, PostgreSQL cannot store NUL at all, and the others would hide inside names.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In a text of several lines these are ordinary text, not control characters.
LINE_BREAKS = frozenset("\t\n\r")

# Russian (and Ukrainian) letters in Latin as Russian sites usually write them: щ → shch, я → ya.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g",
}  # fmt: skip
SLUG_MAX_LENGTH = 80


def fold(value: str) -> str:
    """Lower-case with full Unicode folding, ё read as е, spaces collapsed."""
    return " ".join(value.casefold().replace("ё", "е").split())


def first_control_character(text: str, multiline: bool = True) -> str | None:
    """The first control character in the text; tab and line breaks count only on one line."""
    for match in CONTROL_CHARACTER.finditer(text):
        if not (multiline and match.group() in LINE_BREAKS):
            return match.group()
    return None


def without_control_characters(text: str) -> str:
    """One line of text with each control character read as a blank."""
    return CONTROL_CHARACTER.sub(" ", text)


def transliterate(text: str) -> str:
    """Latin letters for Cyrillic ones; accents dropped from Latin ones."""
    latin = "".join(CYRILLIC_TO_LATIN.get(char, char) for char in text.casefold())
    return unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode("ascii")


def slugify(name: str) -> str:
    """A URL-safe slug from a name: «Кванториум Тула» → kvantorium-tula."""
    slug = re.sub(r"[^a-z0-9]+", "-", transliterate(name)).strip("-")
    if len(slug) > SLUG_MAX_LENGTH:
        slug = slug[:SLUG_MAX_LENGTH].rsplit("-", 1)[0]
    return slug or "technopark"

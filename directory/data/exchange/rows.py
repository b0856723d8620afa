"""A file read into rows: each row's cells by column, with the line a person would look at."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _

from .columns import COLUMNS, LIST_COLUMNS, SYNTHETIC_COLUMN

# Lists are written "a; b"; directions may also be typed "a;b" or "a, b". News URLs split
# only at a semicolon followed by a blank, since a URL may hold ";" or "," but never a blank.
LIST_SPLITTERS = {"directions": re.compile(r"\s*[;,]\s*"), "news_urls": re.compile(r";?\s+")}


@dataclass(frozen=True)
class RowError:
    """Why a row cannot be imported: its line (None for the whole file), field and reason.

    A CSV row's line is its row in a spreadsheet, the header being line 1, however many
    text lines its cells span; a JSON record's is its position in the list, from 1.
    """

    line: int | None
    field: str | None
    message: str


def describe(error: RowError, numbering: str = "line") -> str:
    """'line 7: city: Give the city.', or 'record 7: …' for JSON."""
    if error.line is None:
        where = _("the file")
    elif numbering == "record":
        where = _("record %(number)s", number=error.line)
    else:
        where = _("line %(number)s", number=error.line)
    return (
        f"{where}: {error.field}: {error.message}" if error.field else f"{where}: {error.message}"
    )


@dataclass
class SourceRow:
    """One record of the file: a text or, for list columns, a list of texts per given column."""

    line: int
    cells: dict[str, str | list[str]]


@dataclass
class SourceFile:
    """The rows of a file and what made any part of it unreadable."""

    rows: list[SourceRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # How rows are counted: "line" in CSV, "record" in JSON.
    numbering: str = "line"


def split_list(column: str, text: str) -> list[str]:
    """The values of a list cell, blanks around them removed, empty ones dropped."""
    text = text.strip()
    if text.endswith(";"):
        text = text[:-1]
    return [value for value in LIST_SPLITTERS[column].split(text) if value]


def column_errors(columns: Iterable[str], line: int | None) -> list[RowError]:
    """Unknown, synthetic and repeated column names."""
    errors, seen = [], set()
    for column in columns:
        if column == SYNTHETIC_COLUMN:
            errors.append(
                RowError(line, column, _("Synthetic benchmark records cannot be imported."))
            )
        elif column not in COLUMNS:
            errors.append(
                RowError(line, column, _("Unknown column; the README lists the columns."))
            )
        elif column in seen:
            errors.append(RowError(line, column, _("The column appears twice.")))
        seen.add(column)
    return errors


def is_list_column(column: str) -> bool:
    return column in LIST_COLUMNS

"""CSV as spreadsheets open it: UTF-8 with a BOM, a header, quoted cells, no live formulas.

A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or
a carriage return) is written with a leading apostrophe, and the import removes exactly that
apostrophe again. A text that already starts with apostrophes before such a character gets
one more, so every text comes back unchanged: the guard is lossless.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from .columns import LIST_SEPARATOR
from .rows import RowError, SourceFile, SourceRow, column_errors, is_list_column, split_list

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
DELIMITERS = (",", ";", "\t")


# ---------------------------------------------------------------- the formula guard


def guard_formula(text: str) -> str:
    """The text with an apostrophe in front when a spreadsheet would read it as a formula."""
    return GUARD + text if text.lstrip(GUARD).startswith(FORMULA_STARTS) else text


def unguard_formula(text: str) -> str:
    """guard_formula undone: the one apostrophe it adds, and nothing else, is removed."""
    return text[1:] if text.startswith(GUARD) and guard_formula(text[1:]) == text else text


# ---------------------------------------------------------------- writing


def cell_text(value: Any) -> str:
    """A record's value as CSV text; numbers and flags are written by us and never guarded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return guard_formula(LIST_SEPARATOR.join(value))
    return guard_formula(str(value))


def write_csv(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """The records as UTF-8 CSV with a BOM (so Excel reads the Cyrillic), CRLF line ends."""
    buffer = io.StringIO(newline="")
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([cell_text(record.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


# ---------------------------------------------------------------- reading


def delimiter_of(text: str) -> str:
    """The delimiter of the header line: a spreadsheet set to Russian saves with ";"."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def read_csv(data: bytes) -> SourceFile:
    """The rows of a CSV file, numbered as a spreadsheet shows them (the header is line 1)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return SourceFile(
            errors=[RowError(None, None, _("The file is not UTF-8 text: save it as CSV UTF-8."))]
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text), strict=True)
    source = SourceFile()
    header: list[str] | None = None
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            if header is None:
                header = [name.strip() for name in record]
                source.errors += column_errors([name for name in header if name], line)
            elif any(value.strip() for value in record):
                source.rows.append(data_row(line, header, record, source.errors))
    except csv.Error as error:
        source.errors.append(
            RowError(line + 1, None, _("Unreadable CSV: %(problem)s.", problem=str(error)))
        )
    if header is None:
        source.errors.append(RowError(None, None, _("The file is empty: it has no header row.")))
    return source


def data_row(line: int, header: list[str], record: list[str], errors: list[RowError]) -> SourceRow:
    """One data record's cells by column; a short row's missing cells are empty."""
    cells: dict[str, str | list[str]] = {}
    for position, name in enumerate(header):
        value = unguard_formula(record[position]) if position < len(record) else ""
        if name:
            cells[name] = split_list(name, value) if is_list_column(name) else value
        elif value.strip():
            errors.append(RowError(line, None, _("A cell lies under a column without a name.")))
    if any(value.strip() for value in record[len(header) :]):
        message = _("The row has more cells than the header has columns.")
        errors.append(RowError(line, None, message))
    return SourceRow(line, cells)

"""JSON: {"technoparks": [record, …]}, each record with the CSV's columns as JSON types."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flask_babel import gettext as _

from .rows import RowError, SourceFile, SourceRow, column_errors, is_list_column, split_list

TOP_KEY = "technoparks"


def dump(document: Any) -> bytes:
    """Readable, stable JSON: UTF-8 letters as they are, two-space indent, a final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_json(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """The records, each with every column in order."""
    rows = [{column: record.get(column) for column in columns} for record in records]
    return dump({TOP_KEY: rows})


def read_json(data: bytes) -> SourceFile:
    """The records of a JSON export (or a bare list of records), numbered from 1."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return SourceFile(
            errors=[RowError(None, None, _("The file is not UTF-8 text."))], numbering="record"
        )
    except json.JSONDecodeError as error:
        message = _(
            "The file is not valid JSON (line %(line)s, column %(column)s).",
            line=error.lineno,
            column=error.colno,
        )
        return SourceFile(errors=[RowError(None, None, message)], numbering="record")
    if isinstance(document, dict) and isinstance(document.get(TOP_KEY), list):
        document = document[TOP_KEY]
    if not isinstance(document, list):
        message = _('Give a list of records, or an object whose "technoparks" is that list.')
        return SourceFile(errors=[RowError(None, None, message)], numbering="record")
    source = SourceFile(numbering="record")
    for number, record in enumerate(document, start=1):
        if not isinstance(record, dict):
            source.errors.append(RowError(number, None, _("The record is not an object.")))
            continue
        problems = column_errors(record, number)
        source.errors += problems
        cells = {}
        for column, value in record.items():
            if any(problem.field == column for problem in problems):
                continue
            text = cell_value(column, value)
            if text is None:
                message = (
                    _("Give a list of texts.")
                    if is_list_column(column)
                    else _("Give a text, a number, true, false or null.")
                )
                source.errors.append(RowError(number, column, message))
            else:
                cells[column] = text
        source.rows.append(SourceRow(number, cells))
    return source


def cell_value(column: str, value: Any) -> str | list[str] | None:
    """A JSON value as the text a CSV cell would hold; None when its type does not fit."""
    if is_list_column(column):
        if isinstance(value, str):
            return split_list(column, value)
        if value is None:
            return []
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [item.strip() for item in value if item.strip()]
        return None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return value
    return None

"""Which reader a file needs: by the format asked for, its extension, or its first character."""

from __future__ import annotations

from pathlib import PurePath

from .csv_format import read_csv
from .json_format import read_json
from .rows import SourceFile

READERS = {"csv": read_csv, "json": read_json}


def format_of(filename: str | None, data: bytes) -> str:
    """ "json" for a .json file or one that opens with [ or {; "csv" otherwise."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix in READERS:
        return suffix
    start = data.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")[:1]
    return "json" if start in ("[", "{") else "csv"


def read_source(
    data: bytes, filename: str | None = None, format_name: str | None = None
) -> SourceFile:
    """The rows of an uploaded or given file."""
    return READERS[format_name or format_of(filename, data)](data)

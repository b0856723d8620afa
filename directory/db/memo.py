"""Values kept in each process's memory until the data version moves on.

A count, a list of cities or a rendered page depends only on the data (and the question),
so it is kept under the data version it was computed at: any write, by any process on any
machine sharing the database, makes every process compute afresh at its next request.
The cache is bounded by entries and by bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, g

from .data_version import current_data_version

T = TypeVar("T")

# What one process keeps at most: a few hundred pages, and the marker data of a few filters.
MAX_ENTRIES = 512
MAX_BYTES = 96 * 1024 * 1024


class VersionedCache:
    """A least-recently-used map for one process, emptied when the data version moves on."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.version: int | None = None
        self.entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, version: int, key: Hashable) -> Any | None:
        """The value stored for key at this data version, or None."""
        with self.lock:
            if version != self.version or key not in self.entries:
                return None
            self.entries.move_to_end(key)
            return self.entries[key][0]

    def put(self, version: int, key: Hashable, value: Any, size: int = 0) -> None:
        """Keep a value; a newer data version first drops everything older."""
        with self.lock:
            if self.version is not None and version < self.version:
                return
            if version != self.version:
                self.entries.clear()
                self.bytes = 0
                self.version = version
            if key in self.entries:
                self.bytes -= self.entries.pop(key)[1]
            self.entries[key] = (value, size)
            self.bytes += size
            while len(self.entries) > self.max_entries or (
                self.bytes > self.max_bytes and len(self.entries) > 1
            ):
                self.bytes -= self.entries.popitem(last=False)[1][1]


def versioned_cache() -> VersionedCache:
    """This app's cache in this process."""
    return current_app.extensions["data_version_cache"]


def data_version() -> int:
    """The data version, read once per request."""
    if "data_version" not in g:
        g.data_version = current_data_version()
    return g.data_version


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """compute()'s value, kept until the data changes: counts, lists of cities."""
    version = data_version()
    cache = versioned_cache()
    found = cache.get(version, ("value", key))
    if found is None:
        found = (compute(),)
        cache.put(version, ("value", key), found, 64)
    return found[0]

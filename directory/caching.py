"""Caches of public output in each process's memory, keyed by the data version; and gzip.

What a visitor sees depends only on the data, the address asked for and the language, so a
rendered page, the map's marker data or a count is kept until the data version moves on
(directory/versioning.py): any write, by any process on any machine, makes every process
render afresh at its next request. Only visitors who are not signed in and carry no session
get cached pages; everyone else is served as before.

Responses are gzipped for clients that accept it; cached ones are compressed once.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from .versioning import current_data_version

T = TypeVar("T")

# Smaller responses gain nothing from compression; /healthz and 304s stay as they are.
GZIP_MIN_BYTES = 1024
GZIP_LEVEL = 5
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/csv",
        "application/json",
        "application/geo+json",
        "application/javascript",
        "text/javascript",
        "image/svg+xml",
    }
)
# What one process keeps at most: a few hundred pages, and the marker data of a few filters.
MAX_ENTRIES = 512
MAX_BYTES = 96 * 1024 * 1024


@dataclass(frozen=True)
class CachedBody:
    """A response body as sent: its bytes, the same gzipped, and a tag naming its content."""

    status: int
    mimetype: str
    body: bytes
    gzipped: bytes | None
    etag: str
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, body: bytes, mimetype: str, status: int = 200, headers: tuple = ()) -> CachedBody:
        """Compress once and name the content by its hash."""
        gzipped = gzip.compress(body, GZIP_LEVEL, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
        etag = hashlib.blake2b(body, digest_size=12).hexdigest()
        return cls(status, mimetype, body, gzipped, etag, tuple(headers))

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")

    def response(self) -> Response:
        """A fresh response for this request, gzipped when the client accepts it."""
        response = Response(status=self.status, mimetype=self.mimetype, headers=list(self.headers))
        if self.gzipped is not None:
            response.vary.add("Accept-Encoding")
        if self.gzipped is not None and accepts_gzip():
            response.set_data(self.gzipped)
            response.headers["Content-Encoding"] = "gzip"
            response.set_etag(self.etag + "-gzip")
        else:
            response.set_data(self.body)
            response.set_etag(self.etag)
        return response


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


def response_cache() -> VersionedCache:
    """This app's cache in this process."""
    return current_app.extensions["response_cache"]


def data_version() -> int:
    """The data version, read once per request."""
    if "data_version" not in g:
        g.data_version = current_data_version()
    return g.data_version


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """compute()'s value, kept until the data changes: counts, lists of cities."""
    version = data_version()
    cache = response_cache()
    found = cache.get(version, ("value", key))
    if found is None:
        found = (compute(),)
        cache.put(version, ("value", key), found, 64)
    return found[0]


def cached_body(key: Hashable, build: Callable[[], CachedBody]) -> CachedBody:
    """The cached body for key at this data version, built when missing."""
    version = data_version()
    cache = response_cache()
    found = cache.get(version, ("body", key))
    if found is None:
        found = build()
        cache.put(version, ("body", key), found, found.size)
    return found


def conditional(body: CachedBody) -> Response:
    """The body as a response that browsers revalidate: 304 when their copy is current."""
    response = body.response()
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def accepts_gzip() -> bool:
    """Whether the client takes gzip-encoded responses."""
    return request.accept_encodings["gzip"] > 0


def anonymous_visit() -> bool:
    """A GET from someone not signed in and without a session: the page is the same for all."""
    return request.method == "GET" and not current_user.is_authenticated and not session


def page_key() -> tuple[str, str]:
    """What a cached page depends on besides the data: the full address and the language."""
    return (request.url, str(get_locale()))


def cached_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Serve anonymous visitors the page rendered for this address, language and data.

    A page that puts anything into the session (a CSRF token, a flash) is not kept.
    """

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not anonymous_visit():
            return view(*args, **kwargs)
        version = data_version()
        cache = response_cache()
        key = ("page", *page_key())
        found = cache.get(version, key)
        if found is not None:
            return found.response()
        response = make_response(view(*args, **kwargs))
        if session or response.direct_passthrough or response.is_streamed:
            return response
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name not in ("Content-Type", "Content-Length", "Vary", "Set-Cookie")
        )
        body = CachedBody.of(response.get_data(), response.mimetype, response.status_code, headers)
        cache.put(version, key, body, body.size)
        return body.response()

    return wrapper


def compress(response: Response) -> Response:
    """gzip a text response of some size when the client accepts it."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSIBLE
        or not accepts_gzip()
    ):
        return response
    data = response.get_data()
    if len(data) < GZIP_MIN_BYTES:
        return response
    response.set_data(gzip.compress(data, GZIP_LEVEL))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    if response.get_etag()[0]:
        # The compressed bytes are another representation, so another tag.
        tag, weak = response.get_etag()
        response.set_etag(tag + "-gzip", weak)
    return response


def init_app(app: Flask) -> None:
    """Give the app its cache and compress its responses."""
    app.extensions["response_cache"] = VersionedCache()
    app.after_request(compress)

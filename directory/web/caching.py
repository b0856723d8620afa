"""Public responses kept per data version, and gzip.

What a visitor sees depends only on the data, the address asked for and the language, so a
rendered page or the map's marker data is kept in the data-version cache (directory/db/memo.py)
until the data changes: any write, by any process on any machine, makes every process
render afresh at its next request. Only visitors who are not signed in and carry no session
get cached pages; everyone else is served as before.

Responses are gzipped for clients that accept it; cached ones are compressed once.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, Response, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user

from ..db.memo import data_version, versioned_cache

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


def cached_body(key: Hashable, build: Callable[[], CachedBody]) -> CachedBody:
    """The cached body for key at this data version, built when missing."""
    version = data_version()
    cache = versioned_cache()
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
        cache = versioned_cache()
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
    """Compress the app's responses."""
    app.after_request(compress)

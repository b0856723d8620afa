"""Security headers on every response: CSP, nosniff, referrer policy, framing, HSTS.

Pages run only our own scripts and styles. The folium map shell carries inline scripts
and styles of its own; it is a separate route, and its CSP allows exactly those blocks
by their SHA-256 hashes, which stay valid because the shell is built once and cached.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, Response, current_app

INLINE_BLOCK = re.compile(r"<(script|style)>(.*?)</\1>", re.S)
HSTS = "max-age=31536000; includeSubDomains"


def tile_origin(tiles_url: str) -> str:
    """The origin map tiles load from; a {s} subdomain becomes a wildcard."""
    parts = urlsplit(tiles_url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}"


def inline_hashes(html: str) -> dict[str, list[str]]:
    """CSP hash sources for every inline <script> and <style> block of a document."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for kind, body in INLINE_BLOCK.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        hashes[kind].append(f"'sha256-{digest}'")
    return hashes


def content_security_policy(
    tiles: str, scripts: Iterable[str] = (), styles: Iterable[str] = ()
) -> str:
    """Our own origin only, plus tile images and any given inline-block hashes."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *scripts],
        "style-src": ["'self'", *styles],
        "img-src": ["'self'", "data:", tiles],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def add_security_headers(response: Response) -> Response:
    """Set the headers every response carries; a view may have set its own CSP already."""
    tiles = tile_origin(current_app.config["TILES_URL"])
    response.headers.setdefault("Content-Security-Policy", content_security_policy(tiles))
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Tile servers such as OpenStreetMap's ask for a Referer; only the origin is sent.
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    if not current_app.debug:
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    """Register the header hook."""
    app.after_request(add_security_headers)

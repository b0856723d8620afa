"""Security headers: a strict CSP everywhere, hashes for the map shell's own inline blocks."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from directory import create_app
from directory.web.security_headers import inline_hashes, tile_origin


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.parametrize("path", ["/", "/healthz", "/news", "/no-such-page", "/map"])
def test_every_response_carries_the_headers(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert "https://tile.openstreetmap.org" in csp["img-src"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]


def test_pages_allow_only_our_own_scripts(client: FlaskClient) -> None:
    csp = csp_directives(client.get("/").headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]


def test_map_shell_allows_exactly_its_inline_blocks(client: FlaskClient) -> None:
    response = client.get("/map")
    hashes = inline_hashes(response.get_data(as_text=True))
    assert hashes["script"] and hashes["style"]
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'", *hashes["script"]]
    assert csp["style-src"] == ["'self'", *hashes["style"]]


def test_no_hsts_in_debug(tmp_path) -> None:
    app = create_app({"DEBUG": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    app.debug = True
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


@pytest.mark.parametrize(
    ("tiles_url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
    ],
)
def test_tile_origin(tiles_url: str, origin: str) -> None:
    assert tile_origin(tiles_url) == origin

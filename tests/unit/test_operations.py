"""Shared writes: slugs for new technoparks, and the vendored map library."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory.domain.models import Technopark
from directory.domain.operations import unique_slug
from directory.domain.text import slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Кванториум", "kvantorium"),
        (
            "Детский технопарк «Кванториум» (технополис «Москва»)",
            "detskiy-tekhnopark-kvantorium-tekhnopolis-moskva",
        ),
        ("Щёлково, Юность-2", "shchelkovo-yunost-2"),
        ("Объединённый ЦТТ «Эврика»", "obedinennyy-tstt-evrika"),
        ("Hi-Tech цех", "hi-tech-tsekh"),
        ("École Ünïcode", "ecole-unicode"),
        ("«»—!!", "technopark"),
        ("а" * 200, "a" * 80),
    ],
)
def test_slugs_are_latin_from_the_name(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_slugs_are_unique(app: Flask, make_technopark: Callable[..., Technopark]) -> None:
    make_technopark(slug="kvantorium")
    make_technopark(slug="kvantorium-2")
    make_technopark(slug="kvantorium-tula")
    with app.app_context():
        assert unique_slug("Кванториум") == "kvantorium-3"
        assert unique_slug("Кванториум Тверь") == "kvantorium-tver"


@pytest.mark.parametrize(
    ("path", "marker"),
    [
        ("/vendor/leaflet/leaflet.js", b"Leaflet"),
        ("/vendor/leaflet/leaflet.css", b".leaflet-"),
        ("/vendor/leaflet/images/marker-icon.png", b"PNG"),
        ("/vendor/markercluster/leaflet.markercluster.js", b"MarkerCluster"),
        ("/vendor/markercluster/MarkerCluster.Default.css", b".marker-cluster"),
    ],
)
def test_leaflet_is_served_from_the_installed_package(
    client: FlaskClient, path: str, marker: bytes
) -> None:
    with client.get(path) as response:
        assert response.status_code == 200
        assert marker in response.data


@pytest.mark.parametrize(
    "path",
    [
        "/vendor/leaflet/../__init__.py",
        "/vendor/leaflet/%2e%2e/__init__.py",
        "/vendor/leaflet/no-such-file.js",
    ],
)
def test_vendor_routes_serve_nothing_else(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        assert response.status_code == 404

"""The map with thousands of listings in a real Chromium: clusters, zooming in, single markers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from helpers import served

pytestmark = pytest.mark.browser

BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
LEAFLET_MAP = "Object.values(window).find((value) => value instanceof L.Map)"


@pytest.fixture(params=["markercluster", "grid"])
def crowded_server(app: Flask, runner: FlaskCliRunner, request: Any) -> Iterator[str]:
    """3 000 synthetic listings, shown as a benchmark server shows them, clustered either way."""
    assert runner.invoke(args=["demo-data", "--count", "3000"]).exit_code == 0
    app.config["SHOW_SYNTHETIC_RECORDS"] = True
    if request.param == "grid":
        app.config["MAP_MARKERCLUSTER_LIMIT"] = 1000
    with served(app) as url:
        yield url


@pytest.fixture
def frame(browser: Any, crowded_server: str) -> Iterator[Any]:
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else 0
    )
    page.route(
        "https://tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=BLANK_TILE),
    )
    page.goto(crowded_server + "/")
    frame = page.wait_for_selector("iframe.directory-map").content_frame()
    wait_until(frame, "document.body.dataset.markers !== undefined", seconds=20)
    yield frame
    assert errors == []
    context.close()


def wait_until(frame: Any, condition: str, seconds: float = 10) -> None:
    """Poll from here: wait_for_function would need eval, which the map's CSP forbids."""
    deadline = time.monotonic() + seconds
    while not frame.evaluate(f"() => Boolean({condition})"):
        assert time.monotonic() < deadline, f"still false: {condition}"
        time.sleep(0.05)


def zoom(frame: Any) -> int:
    return frame.evaluate(f"{LEAFLET_MAP}.getZoom()")


def test_thousands_of_listings_load_as_a_few_clusters(frame: Any) -> None:
    assert frame.evaluate("document.body.dataset.markers") == "3000"
    clusters = frame.locator(".marker-cluster")
    assert 0 < clusters.count() < 300
    counts = [int(text) for text in clusters.all_inner_texts()]
    # Only what the view shows is drawn, but at this zoom that is nearly all of Russia.
    assert 2000 < sum(counts) + frame.locator(".leaflet-marker-icon:not(.marker-cluster)").count()


def test_clicking_a_cluster_zooms_in_until_single_listings_show(frame: Any) -> None:
    before = zoom(frame)
    largest = max(
        frame.locator(".marker-cluster").all(), key=lambda cluster: int(cluster.inner_text())
    )
    largest.click()
    # The zoom is animated: wait until it has ended.
    wait_until(frame, f"{LEAFLET_MAP}.getZoom() > {before} && !{LEAFLET_MAP}._animatingZoom")
    frame.evaluate(f"{LEAFLET_MAP}.setView([55.7539, 37.6208], 17, {{animate: false}})")
    wait_until(
        frame,
        "document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster),"
        " path.leaflet-interactive').length > 0",
    )
    assert frame.locator(".marker-cluster").count() == 0
    single = frame.locator(".leaflet-marker-icon:not(.marker-cluster), path.leaflet-interactive")
    width, height = frame.evaluate("[window.innerWidth, window.innerHeight]")
    frame_box = frame.frame_element().bounding_box()
    in_view = next(
        marker
        for marker in single.all()
        if (box := marker.bounding_box())
        and 40 < box["x"] - frame_box["x"] < width - 40
        and 40 < box["y"] - frame_box["y"] < height - 40
    )
    in_view.click(force=True)
    popup = frame.wait_for_selector(".directory-popup")
    assert "Москва" in popup.inner_text()
    assert (
        popup.query_selector("a.directory-popup-link")
        .get_attribute("href")
        .startswith("/technoparks/demo-")
    )

"""Time the map in headless Chromium: from navigation to the first drawn clusters.

    .venv/bin/python bench/browser.py http://127.0.0.1:PORT [--runs 3]

Opens `/`, waits for the first `.marker-cluster` inside the map's iframe and for the marker
count the map script writes to `document.body.dataset.markers`, then zooms the iframe's Leaflet
map to Kazan at zoom 14 and counts the single markers drawn there. Map tiles are answered
with a blank image: the benchmark never leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# The smallest valid PNG, served in place of every map tile.
BLANK_TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
KAZAN = (55.78874, 49.12214)
TIMEOUT_MS = 60_000

# Runs in the iframe: milliseconds from the top page's navigation start to now.
SINCE_NAVIGATION = "performance.timeOrigin + performance.now() - top.performance.timeOrigin"

# Zoom the iframe's Leaflet map to a city and count what is drawn once it settles.
ZOOM_AND_COUNT = """
([lat, lon, zoom]) => new Promise((resolve) => {
  const map = Object.values(window).find((value) => value instanceof L.Map);
  map.once("moveend", () => setTimeout(() => {
    const container = map.getContainer();
    resolve({
      clusters: container.querySelectorAll(".marker-cluster").length,
      markers: container.querySelectorAll(
        ".leaflet-marker-icon:not(.marker-cluster), path.leaflet-interactive"
      ).length,
    });
  }, 1500));
  map.setView([lat, lon], zoom, { animate: false });
})
"""


def time_map(browser: Any, base_url: str) -> dict[str, Any]:
    """One visit: when the first clusters and the marker count appeared, and Kazan up close."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    leaving = []

    def tiles_or_local(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        elif route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            leaving.append(route.request.url)
            route.abort()

    page.route("**/*", tiles_or_local)
    page.goto(base_url + "/", wait_until="commit", timeout=TIMEOUT_MS)
    frame = page.wait_for_selector("iframe.directory-map", timeout=TIMEOUT_MS).content_frame()
    frame.wait_for_selector(".marker-cluster", state="attached", timeout=TIMEOUT_MS)
    first_cluster_ms = frame.evaluate(SINCE_NAVIGATION)
    frame.wait_for_function("document.body.dataset.markers !== undefined", timeout=TIMEOUT_MS)
    loaded_ms = frame.evaluate(SINCE_NAVIGATION)
    markers = frame.evaluate("document.body.dataset.markers")
    zoomed = frame.evaluate(ZOOM_AND_COUNT, [*KAZAN, 14])
    context.close()
    return {
        "first_cluster_ms": first_cluster_ms,
        "markers_set_ms": loaded_ms,
        "markers": markers,
        "kazan_zoom14": zoomed,
        "external_requests": leaving,
    }


def measure(base_url: str, runs: int) -> dict[str, Any]:
    """The median of several visits, each in a fresh browser context (an empty cache)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            visits = [time_map(browser, base_url) for _ in range(runs)]
        finally:
            browser.close()
    return {
        "runs": runs,
        "first_cluster_ms": statistics.median(v["first_cluster_ms"] for v in visits),
        "markers_set_ms": statistics.median(v["markers_set_ms"] for v in visits),
        "first_cluster_all_ms": [round(v["first_cluster_ms"]) for v in visits],
        "markers": visits[-1]["markers"],
        "kazan_zoom14": visits[-1]["kazan_zoom14"],
        "external_requests": sorted({url for v in visits for url in v["external_requests"]}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit("Chromium is missing: apt-get install chromium")
    print(json.dumps(measure(options.base_url, options.runs), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

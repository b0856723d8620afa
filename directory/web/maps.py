"""The folium map shell: tiles, controls and the cluster layer, and nothing from listings.

folium renders every string it is given as a Jinja template and pastes it into JavaScript,
so no technopark text ever passes through it. The markers arrive later as JSON and are
clustered and drawn by static/js/map.js with textContent and createElement. The shell
therefore does not depend on the data and can be built once and cached.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import folium
from branca.element import Element, MacroElement
from folium import FeatureGroup
from folium.plugins import MarkerCluster
from jinja2 import Template

# Moscow, where most sourced listings are, until the markers arrive and the map fits them.
DEFAULT_CENTER = (55.751, 37.618)
DEFAULT_ZOOM = 10


@dataclass(frozen=True)
class MapAssets:
    """Where the page loads Leaflet, the cluster icons' styles and our own map script from."""

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: str
    markercluster_default_css: str
    map_js: str
    map_css: str


class MarkerLoader(MacroElement):
    """Hands the map and its two marker layers to static/js/map.js, which loads the markers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.directoryMap.attach({{ this._parent.get_name() }}, {{ this.cluster.get_name() }},
            {{ this.layer.get_name() }}, {{ this.data_url|tojson }});
        {% endmacro %}
        """
    )

    def __init__(
        self, cluster: MarkerCluster, layer: FeatureGroup, data_url: str, assets: MapAssets
    ) -> None:
        super().__init__()
        self._name = "MarkerLoader"
        self.cluster = cluster
        self.layer = layer
        self.data_url = data_url
        self.default_js = [("directory_map", assets.map_js)]
        self.default_css = [("directory_map_css", assets.map_css)]

    def render(self, **kwargs) -> None:  # noqa: ANN003
        """Add our script and stylesheets to the page header, then the attach call."""
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(folium.JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(folium.CssLink(url), name=name)
        super().render(**kwargs)


def build_map_shell(
    tiles_url: str, tiles_attribution: str, data_url: str, assets: MapAssets
) -> str:
    """The full HTML document of an empty map that loads and clusters its markers from data_url."""
    figure = folium.Map(
        location=DEFAULT_CENTER,
        zoom_start=DEFAULT_ZOOM,
        tiles=None,
        control_scale=True,
    )
    # Only our own copies: folium's defaults would load Leaflet, jQuery and Bootstrap from CDNs.
    figure.default_js = [("leaflet", assets.leaflet_js)]
    figure.default_css = [("leaflet_css", assets.leaflet_css)]
    folium.TileLayer(tiles=tiles_url, attr=tiles_attribution, max_zoom=19).add_to(figure)
    # Leaflet.markercluster clusters a directory-sized map; past MARKERCLUSTER_LIMIT listings
    # (static/js/map.js) its per-marker tree takes seconds, and the script draws its own grid
    # clusters, with the same icons, into the plain layer instead.
    # From zoom 17 every listing stands on its own, as in the grid clusters of map.js.
    cluster = MarkerCluster(chunkedLoading=True, disableClusteringAtZoom=17, control=False)
    cluster.default_js = [("markerclusterjs", assets.markercluster_js)]
    cluster.default_css = [
        ("markerclustercss", assets.markercluster_css),
        ("markerclusterdefaultcss", assets.markercluster_default_css),
    ]
    cluster.add_to(figure)
    layer = FeatureGroup(name="technoparks", control=False)
    layer.add_to(figure)
    MarkerLoader(cluster, layer, data_url, assets).add_to(figure)
    root = figure.get_root()
    number_elements(root)
    return root.render()


def number_elements(root: Element) -> None:
    """Name folium's elements by their place in the document instead of a random id.

    folium gives every element a random id, so each worker process would build a different
    /map document with its own ETag and browsers could never revalidate it across workers.
    """
    for position, element in enumerate(elements_of(root)):
        element._id = str(position)


def elements_of(element: Element) -> Iterator[Element]:
    """The element and all its descendants, in document order."""
    yield element
    for child in element._children.values():
        yield from elements_of(child)

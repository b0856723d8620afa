/* Draws the directory's markers on the folium map shell, clustered, for up to 100 000 listings.
 *
 * The shell (directory/maps.py) holds no listing text. Markers come as JSON from our own
 * endpoint, and every popup is built with createElement and textContent, so a name like
 * "{{ 7*7 }} ${1+1} <img onerror=…>" is shown exactly as typed and never evaluated.
 *
 * Up to MAP_MARKERCLUSTER_LIMIT listings (the server says which: payload.clustering),
 * Leaflet.markercluster clusters them. Past that its
 * per-marker tree takes seconds (about 5 s for 100 000 here), so the map clusters on a grid
 * per zoom level over positions projected once: a level is grouped in one pass over typed
 * arrays (milliseconds for 100 000 points) and only when first shown, and only the clusters
 * and markers inside the view are drawn, with Leaflet.markercluster's icons.
 */
(function () {
  "use strict";

  const APPROXIMATE_STYLE = {
    radius: 9,
    color: "#a85400",
    weight: 2,
    dashArray: "4 3",
    fillColor: "#f5a623",
    fillOpacity: 0.35,
  };
  const ORIGIN_STYLE = { radius: 6, color: "#0b5cad", weight: 3, fillColor: "#ffffff", fillOpacity: 1 };
  // Listings closer than this many screen pixels join one cluster.
  const CLUSTER_PIXELS = 60;
  // From this zoom on every listing is drawn on its own.
  const SINGLE_MARKERS_FROM_ZOOM = 17;
  const TILE_SIZE = 256;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function popupFor(item, labels) {
    const box = element("div", "directory-popup");
    box.appendChild(element("strong", "directory-popup-name", item.name));
    const place = [item.city, item.host].filter(Boolean).join(" · ");
    if (place) box.appendChild(element("div", "directory-popup-place", place));
    if (item.approximate) {
      box.appendChild(element("div", "directory-popup-approximate", labels.approximate));
    }
    const link = element("a", "directory-popup-link", labels.open_profile);
    link.href = "/technoparks/" + encodeURIComponent(item.slug);
    link.target = "_top";
    box.appendChild(link);
    return box;
  }

  function rowsAsItems(payload) {
    const index = {};
    payload.fields.forEach(function (name, position) {
      index[name] = position;
    });
    // City and host names are written once in payload.cities and payload.hosts; rows point there.
    const cities = payload.cities || [];
    const hosts = payload.hosts || [];
    return payload.rows.map(function (row) {
      const host = row[index.host];
      return {
        slug: row[index.slug],
        name: row[index.name],
        city: cities[row[index.city]],
        host: host === null ? null : hosts[host],
        lat: row[index.lat],
        lon: row[index.lon],
        approximate: Boolean(row[index.approximate]),
      };
    });
  }

  /* Positions in Web Mercator "world" units (0..1 across the map at zoom 0), as Leaflet draws. */
  function project(items) {
    const xs = new Float64Array(items.length);
    const ys = new Float64Array(items.length);
    items.forEach(function (item, i) {
      const sin = Math.sin((Math.max(-85.05, Math.min(85.05, item.lat)) * Math.PI) / 180);
      xs[i] = (item.lon + 180) / 360;
      ys[i] = 0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI);
    });
    return { xs: xs, ys: ys };
  }

  /* The clusters of one zoom level: listings grouped by grid cell, with centre and extent. */
  function gridClusters(points, zoom) {
    const cell = CLUSTER_PIXELS / (TILE_SIZE * Math.pow(2, zoom));
    const columns = Math.ceil(1 / cell) + 1;
    const byCell = new Map();
    const xs = points.xs;
    const ys = points.ys;
    for (let i = 0; i < xs.length; i++) {
      const key = Math.floor(ys[i] / cell) * columns + Math.floor(xs[i] / cell);
      const cluster = byCell.get(key);
      if (cluster === undefined) {
        byCell.set(key, { count: 1, first: i, x: xs[i], y: ys[i], west: xs[i], east: xs[i], north: ys[i], south: ys[i] });
      } else {
        cluster.count += 1;
        cluster.x += xs[i];
        cluster.y += ys[i];
        if (xs[i] < cluster.west) cluster.west = xs[i];
        if (xs[i] > cluster.east) cluster.east = xs[i];
        if (ys[i] < cluster.north) cluster.north = ys[i];
        if (ys[i] > cluster.south) cluster.south = ys[i];
      }
    }
    return Array.from(byCell.values());
  }

  function unproject(x, y) {
    const n = Math.PI - 2 * Math.PI * y;
    return L.latLng((180 / Math.PI) * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n))), x * 360 - 180);
  }

  function clusterIcon(count) {
    // The look of Leaflet.markercluster's default icons; the count is set as text.
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    const inner = element("div");
    inner.appendChild(element("span", null, String(count)));
    return L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
  }

  const state = {
    map: null,
    cluster: null,
    layer: null,
    items: [],
    markers: null,
    points: null,
    levels: {},
    labels: {},
    bySlug: {},
  };

  function markerFor(index) {
    const item = state.items[index];
    const position = [item.lat, item.lon];
    const marker = item.approximate
      ? L.circleMarker(position, APPROXIMATE_STYLE)
      : L.marker(position, { title: item.name, alt: item.name });
    marker.bindPopup(function () {
      return popupFor(item, state.labels);
    });
    return marker;
  }

  function clusterMarker(cluster) {
    const centre = unproject(cluster.x / cluster.count, cluster.y / cluster.count);
    const marker = L.marker(centre, { icon: clusterIcon(cluster.count), keyboard: true });
    marker.on("click", function () {
      const map = state.map;
      const extent = L.latLngBounds(unproject(cluster.west, cluster.south), unproject(cluster.east, cluster.north));
      const zoom = Math.min(map.getBoundsZoom(extent), SINGLE_MARKERS_FROM_ZOOM);
      map.setView(extent.getCenter(), Math.max(zoom, map.getZoom() + 1));
    });
    return marker;
  }

  /* Draw what the view shows: clusters below SINGLE_MARKERS_FROM_ZOOM, single listings above. */
  function draw() {
    const map = state.map;
    const zoom = Math.round(map.getZoom());
    const view = map.getBounds().pad(0.2);
    const drawn = [];
    if (zoom >= SINGLE_MARKERS_FROM_ZOOM) {
      state.items.forEach(function (item, i) {
        if (view.contains([item.lat, item.lon])) drawn.push(markerFor(i));
      });
    } else {
      if (!state.levels[zoom]) state.levels[zoom] = gridClusters(state.points, zoom);
      const west = (view.getWest() + 180) / 360;
      const east = (view.getEast() + 180) / 360;
      const north = project([{ lat: view.getNorth(), lon: 0 }]).ys[0];
      const south = project([{ lat: view.getSouth(), lon: 0 }]).ys[0];
      state.levels[zoom].forEach(function (cluster) {
        if (cluster.east < west || cluster.west > east || cluster.south < north || cluster.north > south) return;
        drawn.push(cluster.count === 1 ? markerFor(cluster.first) : clusterMarker(cluster));
      });
    }
    state.layer.clearLayers();
    drawn.forEach(function (marker) {
      state.layer.addLayer(marker);
    });
  }

  function searchHereButton(latlng, labels) {
    const box = element("div", "directory-popup");
    const button = element("button", "directory-popup-search", labels.search_here);
    button.type = "button";
    button.addEventListener("click", function () {
      const target = new URL(window.top.location.href);
      target.pathname = "/";
      target.searchParams.set("near", latlng.lat.toFixed(5) + "," + latlng.lng.toFixed(5));
      target.searchParams.delete("place");
      target.searchParams.delete("page");
      window.top.location.assign(target.toString());
    });
    box.appendChild(button);
    return box;
  }

  /* Open a marker's popup once Leaflet.markercluster has redrawn it on its own (it redraws
   * asynchronously after a zoom), spiderfying a cluster of markers at one spot. */
  function openWhenVisible(marker, attemptsLeft) {
    // A marker drawn on its own is on the map; a clustered one is not.
    const parent = marker._map ? marker : state.cluster.getVisibleParent(marker);
    const atMaxZoom = state.map.getZoom() >= state.map.getMaxZoom();
    if (parent === marker) {
      marker.openPopup();
    } else if (parent && parent.spiderfy && atMaxZoom) {
      state.cluster.once("spiderfied", function () {
        marker.openPopup();
      });
      parent.spiderfy();
    } else if (attemptsLeft > 0) {
      window.setTimeout(function () {
        openWhenVisible(marker, attemptsLeft - 1);
      }, 100);
    }
  }

  /* Zoom to a listing and open its popup: the list's "on the map" buttons use it. */
  function show(slug) {
    const index = state.bySlug[slug];
    if (index === undefined || !state.map) return false;
    const item = state.items[index];
    const map = state.map;
    map.setView([item.lat, item.lon], Math.max(map.getZoom(), 16), { animate: false });
    if (state.markers) {
      openWhenVisible(state.markers[index], 30);
      return true;
    }
    L.popup({ offset: item.approximate ? L.point(0, 0) : L.point(0, -30) })
      .setLatLng([item.lat, item.lon])
      .setContent(popupFor(item, state.labels))
      .openOn(map);
    return true;
  }

  function itemBounds(items) {
    let south = 90;
    let north = -90;
    let west = 180;
    let east = -180;
    items.forEach(function (item) {
      if (item.lat < south) south = item.lat;
      if (item.lat > north) north = item.lat;
      if (item.lon < west) west = item.lon;
      if (item.lon > east) east = item.lon;
    });
    return L.latLngBounds([south, west], [north, east]);
  }

  function attach(map, cluster, layer, dataUrl) {
    state.map = map;
    state.cluster = cluster;
    state.layer = layer;
    const query = new URLSearchParams(window.location.search);
    const singleListing = query.has("slug");
    fetch(dataUrl + window.location.search, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("markers: HTTP " + response.status);
        return response.json();
      })
      .then(function (payload) {
        state.labels = payload.labels;
        state.items = rowsAsItems(payload);
        state.points = project(state.items);
        state.items.forEach(function (item, i) {
          state.bySlug[item.slug] = i;
        });
        const origin = (query.get("near") || "").split(",").map(Number);
        if (origin.length === 2 && origin.every(Number.isFinite)) {
          // Near a chosen point, start there: the nearest listings are what a parent wants.
          L.circleMarker(origin, ORIGIN_STYLE).addTo(map);
          map.setView(origin, 11, { animate: false });
        } else if (state.items.length) {
          map.fitBounds(itemBounds(state.items), {
            maxZoom: singleListing ? 15 : 13,
            padding: [20, 20],
            animate: false,
          });
        }
        if (payload.clustering !== "grid") {
          state.markers = state.items.map(function (item, i) {
            return markerFor(i);
          });
          cluster.addLayers(state.markers);
        } else {
          draw();
          map.on("moveend", draw);
        }
        if (!singleListing) {
          map.on("click", function (event) {
            L.popup().setLatLng(event.latlng)
              .setContent(searchHereButton(event.latlng, payload.labels)).openOn(map);
          });
        }
        document.body.dataset.markers = String(state.items.length);
      })
      .catch(function (error) {
        document.body.dataset.markers = "error";
        console.warn(error);
      });
  }

  window.directoryMap = { attach: attach, show: show };
})();

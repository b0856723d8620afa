/* Draws the directory's markers on the folium map shell.
 *
 * The shell (directory/maps.py) holds no listing text. Markers come as JSON from our own
 * endpoint, and every popup is built with createElement and textContent, so a name like
 * "{{ 7*7 }} ${1+1} <img onerror=…>" is shown exactly as typed and never evaluated.
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

  function markerFor(item, labels) {
    const position = [item.lat, item.lon];
    const marker = item.approximate
      ? L.circleMarker(position, APPROXIMATE_STYLE)
      : L.marker(position, { title: item.name, alt: item.name });
    marker.bindPopup(function () {
      return popupFor(item, labels);
    });
    return marker;
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

  const markersBySlug = {};
  let clusterLayer = null;

  /* Open a marker's popup once the cluster layer has redrawn it on its own, spiderfying a
   * cluster of markers at the same spot. The layer redraws asynchronously after a zoom. */
  function openWhenVisible(marker, attemptsLeft) {
    // A marker drawn on its own is on the map; a clustered one is not.
    const parent = marker._map ? marker : clusterLayer.getVisibleParent(marker);
    if (parent === marker) {
      marker.openPopup();
    } else if (parent && parent.spiderfy && clusterLayer._map.getZoom() >= clusterLayer._map.getMaxZoom()) {
      clusterLayer.once("spiderfied", function () {
        marker.openPopup();
      });
      parent.spiderfy();
    } else if (attemptsLeft > 0) {
      window.setTimeout(function () {
        openWhenVisible(marker, attemptsLeft - 1);
      }, 100);
    }
  }

  /* Zoom to a listing's marker and open its popup: the list's "on the map" buttons use it. */
  function show(slug) {
    const marker = markersBySlug[slug];
    if (!marker || !clusterLayer) return false;
    const map = clusterLayer._map;
    // Not zoomToShowLayer: it waits for a marker icon, which approximate circles lack.
    map.setView(marker.getLatLng(), Math.max(map.getZoom(), 16), { animate: false });
    openWhenVisible(marker, 30);
    return true;
  }

  function attach(map, cluster, dataUrl) {
    clusterLayer = cluster;
    const query = new URLSearchParams(window.location.search);
    const singleListing = query.has("slug");
    fetch(dataUrl + window.location.search, { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("markers: HTTP " + response.status);
        return response.json();
      })
      .then(function (payload) {
        const items = rowsAsItems(payload);
        cluster.addLayers(items.map(function (item) {
          const marker = markerFor(item, payload.labels);
          markersBySlug[item.slug] = marker;
          return marker;
        }));
        const origin = (query.get("near") || "").split(",").map(Number);
        if (origin.length === 2 && origin.every(Number.isFinite)) {
          // Near a chosen point, start there: the nearest listings are what a parent wants.
          L.circleMarker(origin, ORIGIN_STYLE).addTo(map);
          map.setView(origin, 11);
        } else if (items.length) {
          map.fitBounds(cluster.getBounds(), { maxZoom: singleListing ? 15 : 13, padding: [20, 20] });
        }
        if (!singleListing) {
          map.on("click", function (event) {
            L.popup().setLatLng(event.latlng)
              .setContent(searchHereButton(event.latlng, payload.labels)).openOn(map);
          });
        }
        document.body.dataset.markers = String(items.length);
      })
      .catch(function (error) {
        document.body.dataset.markers = "error";
        console.warn(error);
      });
  }

  window.directoryMap = { attach: attach, show: show };
})();

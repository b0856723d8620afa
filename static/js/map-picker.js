// The technopark form's map: a click sets the latitude and longitude fields,
// and typing coordinates moves the marker. Without JavaScript the fields still work.
(function () {
  "use strict";

  var holder = document.getElementById("map-picker");
  if (!holder || typeof window.L === "undefined") {
    return;
  }
  var latitudeInput = document.getElementById(holder.dataset.latitude);
  var longitudeInput = document.getElementById(holder.dataset.longitude);
  var help = document.getElementById("map-picker-help");
  if (!latitudeInput || !longitudeInput) {
    return;
  }

  // Centre of European Russia when no position is stored yet.
  var DEFAULT_CENTRE = [55.75, 37.62];
  var DEFAULT_ZOOM = 4;
  var POSITION_ZOOM = 15;

  function readNumber(input) {
    var text = input.value.trim().replace(",", ".");
    if (text === "") {
      return null;
    }
    var value = Number(text);
    return Number.isFinite(value) ? value : null;
  }

  function storedPoint() {
    var latitude = readNumber(latitudeInput);
    var longitude = readNumber(longitudeInput);
    if (latitude === null || longitude === null) {
      return null;
    }
    if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
      return null;
    }
    return [latitude, longitude];
  }

  holder.hidden = false;
  if (help) {
    help.hidden = false;
  }

  var start = storedPoint();
  var map = window.L.map(holder).setView(start || DEFAULT_CENTRE, start ? POSITION_ZOOM : DEFAULT_ZOOM);
  window.L.tileLayer(holder.dataset.tiles, {
    attribution: holder.dataset.attribution,
    maxZoom: 19,
  }).addTo(map);

  var marker = null;

  function showMarker(point) {
    if (marker === null) {
      marker = window.L.marker(point, { keyboard: false }).addTo(map);
    } else {
      marker.setLatLng(point);
    }
  }

  if (start) {
    showMarker(start);
  }

  map.on("click", function (event) {
    var point = event.latlng.wrap();
    latitudeInput.value = point.lat.toFixed(6);
    longitudeInput.value = point.lng.toFixed(6);
    showMarker(point);
    latitudeInput.dispatchEvent(new Event("change", { bubbles: true }));
    longitudeInput.dispatchEvent(new Event("change", { bubbles: true }));
  });

  function followInputs() {
    var point = storedPoint();
    if (point) {
      showMarker(point);
      map.panTo(point);
    }
  }

  latitudeInput.addEventListener("input", followInputs);
  longitudeInput.addEventListener("input", followInputs);
})();

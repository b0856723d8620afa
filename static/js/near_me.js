// "Near me": asks the browser for its position, puts it into the search form and submits it.
// Also offers window.technoparkSearch.setNear(lat, lon) to other scripts (the map).
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  var near = document.getElementById("near-input");
  if (!form || !near) {
    return;
  }
  var place = document.getElementById("place-input");
  var button = document.getElementById("near-me");
  var status = document.getElementById("near-me-status");

  function setNear(latitude, longitude) {
    near.value = latitude.toFixed(6) + "," + longitude.toFixed(6);
    // A typed place would win over the position, so it goes.
    if (place) {
      place.value = "";
    }
    form.submit();
  }

  window.technoparkSearch = { setNear: setNear };

  // Typing a place replaces a position chosen earlier.
  if (place) {
    place.addEventListener("input", function () {
      near.value = "";
    });
  }

  if (!button || !("geolocation" in navigator)) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.waiting;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        setNear(position.coords.latitude, position.coords.longitude);
      },
      function (error) {
        status.textContent =
          error.code === error.PERMISSION_DENIED ? button.dataset.denied : button.dataset.failed;
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
    );
  });
})();

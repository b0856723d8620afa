/* The list beside the map: "on the map" buttons open a listing's popup in the map frame. */
(function () {
  "use strict";
  const frame = document.querySelector("iframe.directory-map");
  if (!frame) return;
  document.querySelectorAll("button.show-on-map").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const map = frame.contentWindow && frame.contentWindow.directoryMap;
      if (map && map.show(button.dataset.slug)) {
        frame.scrollIntoView({ behavior: "smooth", block: "nearest" });
      }
    });
  });
})();

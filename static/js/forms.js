// Forms that keep what people type: the error summary takes focus, long texts count their
// characters as they are typed, and leaving a changed form asks first.
(function () {
  "use strict";

  function focusSummary() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus();
    }
  }

  function countCharacters() {
    document.querySelectorAll("textarea[maxlength]").forEach(function (area) {
      var counter = document.createElement("p");
      counter.className = "field-counter";
      counter.setAttribute("aria-live", "polite");
      var limit = area.getAttribute("maxlength");
      function update() {
        counter.textContent = area.value.length + " / " + limit;
      }
      area.addEventListener("input", update);
      area.insertAdjacentElement("afterend", counter);
      update();
    });
  }

  function warnBeforeLeaving() {
    document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
      var changed = false;
      form.addEventListener("input", function () { changed = true; });
      form.addEventListener("change", function () { changed = true; });
      // Saving is not leaving: the prompt is only for changes that would be lost.
      form.addEventListener("submit", function () { changed = false; });
      window.addEventListener("beforeunload", function (event) {
        if (changed) {
          event.preventDefault();
          event.returnValue = "";
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusSummary();
    countCharacters();
    warnBeforeLeaving();
  });
})();

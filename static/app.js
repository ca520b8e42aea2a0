// Small enhancements for browsers that run JavaScript; every page works
// without them.
(function () {
  "use strict";

  // A time zone list with nothing chosen yet takes the browser's zone
  // when the list offers it, and says so; saving keeps it.
  function suggestZone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!zone) return;
    document.querySelectorAll("select[data-zone-suggest]").forEach(function (select) {
      if (select.value !== "") return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === zone) {
          select.value = zone;
          var note = document.getElementById(select.id + "-suggested");
          if (note) note.hidden = false;
          return;
        }
      }
    });
    document.querySelectorAll("input[data-zone-auto]").forEach(function (input) {
      if (input.value === "") input.value = zone;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", suggestZone);
  } else {
    suggestZone();
  }
})();

// Fills in the site-wide facts (kept in one shared file, site-info.js, so that a new commit
// does not rewrite every page). No inline script is needed anywhere.
(function () {
  "use strict";
  function fill() {
    var info = window.REPOWIKI_SITE;
    if (!info) return;
    var spots = document.querySelectorAll("[data-site-commit]");
    for (var i = 0; i < spots.length; i++) {
      spots[i].textContent = "; the site was built from " + info.short + " (" + info.date + ")";
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();

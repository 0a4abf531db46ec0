// Site-wide facts and the list of parts live in two shared files (site-info.js, nav.js) so
// that a new commit or a new part does not rewrite every page. This fills them in. No inline
// script is needed anywhere.
(function () {
  "use strict";
  function fillCommit() {
    var info = window.REPOWIKI_SITE;
    if (!info) return;
    var spots = document.querySelectorAll("[data-site-commit]");
    for (var i = 0; i < spots.length; i++) {
      spots[i].textContent = "; the site was built from " + info.short + " (" + info.date + ")";
    }
  }
  function fillParts() {
    var nav = window.REPOWIKI_NAV;
    var list = document.getElementById("nav-parts");
    if (!nav || !list) return;
    var root = document.body.getAttribute("data-root") || "";
    var current = document.body.getAttribute("data-current-part") || "";
    var here = list.querySelector("li > a.current");
    var hereItem = here ? here.parentNode : null;
    var fragment = document.createDocumentFragment();
    for (var i = 0; i < nav.parts.length; i++) {
      var href = root + nav.parts[i].href;
      if (hereItem && href === current) {
        fragment.appendChild(hereItem);
        continue;
      }
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = href;
      a.textContent = nav.parts[i].name;
      li.appendChild(a);
      fragment.appendChild(li);
    }
    list.textContent = "";
    list.appendChild(fragment);
  }
  function fill() {
    fillCommit();
    fillParts();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();

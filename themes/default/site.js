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
    // The freshness line: which commit, and how it stood against its branch at build time.
    var line = document.querySelector("[data-freshness]");
    if (!line) return;
    var text = "Built from " + info.short + " (" + info.date + ")";
    var f = info.freshness;
    if (f) {
      if (f.behind > 0) {
        text += ", " + f.behind + (f.behind === 1 ? " commit" : " commits") + " behind " + f.branch;
      } else {
        text += ", up to date with " + f.branch;
      }
      if (f.ahead > 0) {
        text += " (" + f.ahead + (f.ahead === 1 ? " commit" : " commits") + " not on " + f.branch + ")";
      }
      text += " when it was built";
    }
    line.textContent = text + ".";
    line.hidden = false;
  }
  // On a phone the sidebar waits behind the menu button.
  function menu() {
    var button = document.getElementById("menu-toggle");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = document.body.classList.toggle("menu-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? "Close" : "Menu";
    });
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
        if (nav.parts[i].nested) hereItem.className = "nested";
        fragment.appendChild(hereItem);
        continue;
      }
      var li = document.createElement("li");
      // A package's modules, tests and examples sit under its own part.
      if (nav.parts[i].nested) li.className = "nested";
      var a = document.createElement("a");
      a.href = href;
      a.textContent = nav.parts[i].name;
      li.appendChild(a);
      fragment.appendChild(li);
    }
    list.textContent = "";
    list.appendChild(fragment);
    fillDocs(nav, root);
  }
  // A link to a folded item (a private symbol, a line of a doc's markdown) unfolds it.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) return;
    var opened = false;
    for (var d = el.parentNode; d && d !== document; d = d.parentNode) {
      if (d.tagName === "DETAILS" && !d.open) { d.open = true; opened = true; }
    }
    if (opened) el.scrollIntoView();
  }
  function fillDocs(nav, root) {
    var list = document.getElementById("nav-docs");
    if (!list || !nav.docs || !nav.docs.length) return;
    var here = location.pathname;
    var fragment = document.createDocumentFragment();
    for (var i = 0; i < nav.docs.length; i++) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + nav.docs[i].href;
      a.textContent = nav.docs[i].name;
      a.title = nav.docs[i].path;
      if (a.pathname === here) {
        a.className = "current";
        a.setAttribute("aria-current", "page");
      }
      li.appendChild(a);
      fragment.appendChild(li);
    }
    if (nav.docs_more) {
      var more = document.createElement("li");
      more.className = "all-docs";
      var link = document.createElement("a");
      link.href = root + "index.html#docs";
      link.textContent = "All docs";
      more.appendChild(link);
      fragment.appendChild(more);
    }
    list.textContent = "";
    list.appendChild(fragment);
  }
  // Search: the index (search.js) is loaded on first use; results are built as text nodes.
  function search() {
    var box = document.getElementById("search");
    var list = document.getElementById("search-results");
    if (!box || !list) return;
    var root = document.body.getAttribute("data-root") || "";
    var active = -1;
    // Loaded once; what is typed meanwhile is searched when it arrives. (Each keystroke used to
    // start a load of its own, and the loads could finish in any order, leaving the results of
    // an earlier prefix on screen.)
    var loading = false;
    function withIndex(then) {
      if (window.REPOWIKI_SEARCH) return then(window.REPOWIKI_SEARCH.entries);
      if (loading) return;
      loading = true;
      var s = document.createElement("script");
      s.src = root + "search.js";
      s.onload = s.onerror = function () {
        if (!window.REPOWIKI_SEARCH) window.REPOWIKI_SEARCH = { entries: [] };
        show(box.value);
      };
      document.head.appendChild(s);
    }
    function rank(entry, q) {
      var name = entry[1].toLowerCase();
      var last = name.split(/[:./]/).pop();
      if (last === q || name === q) return 0;
      if (last.indexOf(q) === 0) return 1;
      if (name.indexOf(q) >= 0) return 2;
      if (entry[2].toLowerCase().indexOf(q) >= 0) return 3;
      return -1;
    }
    function select(i) {
      var items = list.children;
      if (!items.length) return;
      active = (i + items.length) % items.length;
      for (var k = 0; k < items.length; k++) {
        items[k].setAttribute("aria-selected", k === active ? "true" : "false");
      }
      items[active].scrollIntoView({ block: "nearest" });
    }
    function show(q) {
      q = q.trim().toLowerCase();
      if (!q) { list.hidden = true; list.textContent = ""; return; }
      withIndex(function (entries) {
        var hits = [];
        for (var i = 0; i < entries.length; i++) {
          var r = rank(entries[i], q);
          if (r >= 0) hits.push([r, entries[i]]);
        }
        // Best match first; among equals, a package's public API before its tests' and
        // examples' (the index's weight), then the shorter name.
        hits.sort(function (a, b) {
          return a[0] - b[0] || (a[1][5] || 0) - (b[1][5] || 0) || a[1][1].length - b[1][1].length;
        });
        list.textContent = "";
        for (var j = 0; j < hits.length && j < 20; j++) {
          var e = hits[j][1];
          var li = document.createElement("li");
          li.setAttribute("role", "option");
          var a = document.createElement("a");
          a.href = root + e[3];
          var kind = document.createElement("span");
          kind.className = "kind";
          kind.textContent = e[0];
          a.appendChild(kind);
          a.appendChild(document.createTextNode(e[1]));
          // Where it is: five "function group" rows are five different places.
          if (e[4] && e[4] !== e[1]) {
            var where = document.createElement("span");
            where.className = "path";
            where.textContent = e[4];
            a.appendChild(where);
          }
          if (e[2]) {
            var about = document.createElement("span");
            about.className = "about";
            about.textContent = e[2];
            a.appendChild(about);
          }
          li.appendChild(a);
          list.appendChild(li);
        }
        if (!hits.length) {
          var none = document.createElement("li");
          none.textContent = "Nothing found.";
          list.appendChild(none);
        }
        list.hidden = false;
        active = -1;
        if (hits.length) select(0);
      });
    }
    box.addEventListener("input", function () { show(box.value); });
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { select(active + 1); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { select(active - 1); ev.preventDefault(); }
      else if (ev.key === "Enter") {
        var link = list.children[active] && list.children[active].querySelector("a");
        if (link) window.location.href = link.href;
      } else if (ev.key === "Escape") { list.hidden = true; box.blur(); }
    });
    document.addEventListener("keydown", function (ev) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName);
      if (!typing && (ev.key === "/" || ev.key === "s") && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        box.focus();
      }
    });
    // A link straight to a search: page.html#search=Engine
    var m = /^#search=(.*)$/.exec(window.location.hash);
    if (m) { box.value = decodeURIComponent(m[1]); show(box.value); }
  }
  // The light/dark toggle: the choice is remembered (theme.js applies it on every page).
  function toggle() {
    var button = document.getElementById("theme-toggle");
    if (!button) return;
    var root = document.documentElement;
    var system = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
    function current() {
      return root.getAttribute("data-theme") || (system && system.matches ? "dark" : "light");
    }
    function label() {
      var dark = current() === "dark";
      button.textContent = dark ? "Light" : "Dark";
      button.setAttribute("aria-label", dark ? "Switch to the light theme" : "Switch to the dark theme");
    }
    button.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { window.localStorage.setItem("repowiki-theme", next); } catch (e) { /* not remembered */ }
      label();
    });
    if (system && system.addEventListener) system.addEventListener("change", label);
    label();
    button.hidden = false;
  }
  // Knowledge at risk: who counts as gone moves with the built commit's time, so the list
  // lives in one shared file (risk.js) and a file page shows its own line from there.
  function fillRisk() {
    var risk = window.REPOWIKI_RISK;
    var spot = document.querySelector("[data-risk]");
    var r = risk && spot && risk[spot.getAttribute("data-risk")];
    if (r) {
      spot.textContent = "Knowledge at risk: " + r.share + "% of its lines come from " + r.author +
        ", last active " + r.last + ".";
      spot.hidden = false;
    }
    // A part page: its files at risk, each a link to its page (relative to the site's root,
    // which is where risk.js is).
    var parts = window.REPOWIKI_RISK_PARTS;
    var line = document.querySelector("[data-risk-part]");
    var files = parts && line && parts[line.getAttribute("data-risk-part")];
    var script = document.querySelector('script[src$="risk.js"]');
    if (!files || !script) return;
    var root = script.getAttribute("src").replace(/risk\.js$/, "");
    line.textContent = "Knowledge at risk (main author inactive for six months): ";
    for (var i = 0; i < files.length; i++) {
      var a = document.createElement("a");
      a.href = root + files[i][1];
      a.textContent = files[i][0];
      line.appendChild(a);
      line.appendChild(document.createTextNode(" (mostly by " + files[i][2] + ")" +
        (i + 1 < files.length ? ", " : ".")));
    }
    line.hidden = false;
  }
  window.repowikiRisk = fillRisk;
  function fill() {
    toggle();
    menu();
    fillCommit();
    fillRisk();
    fillParts();
    openTarget();
    window.addEventListener("hashchange", openTarget);
    search();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();

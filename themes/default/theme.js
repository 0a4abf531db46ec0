// Loaded before the page is drawn (not deferred), so that a reader's choice of light or dark,
// remembered from the toggle, applies without a flash. Without a choice, the system decides.
(function () {
  "use strict";
  // Scripts run: on a phone the sidebar can wait behind the menu button (without scripts it
  // stays in the page, above the content).
  document.documentElement.classList.add("js");
  try {
    var theme = window.localStorage.getItem("repowiki-theme");
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    }
  } catch (e) {
    // Storage can be off (private windows, some file:// settings): follow the system.
  }
})();

/* integridad — small progressive enhancements shared by every page. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Mobile navigation: a real <button aria-expanded> that shows and hides the main nav on narrow screens.
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    var narrow = window.matchMedia("(max-width: 47.99em)");
    var setOpen = function (open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-collapsed", !open);
    };
    toggle.hidden = false;
    setOpen(false);
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes the menu and returns focus to its button (only when focus is inside it).
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Wide tables (wrapped in .table-scroll) and code blocks: reachable by keyboard when they actually scroll.
  var wrappers = document.querySelectorAll(".table-scroll, pre");
  var markScrollable = function () {
    for (var i = 0; i < wrappers.length; i++) {
      var w = wrappers[i];
      if (w.scrollWidth > w.clientWidth + 1) {
        if (!w.hasAttribute("tabindex")) w.setAttribute("data-tabindex-added", "");
        w.setAttribute("tabindex", "0");
        var cap = w.querySelector("caption") || w.querySelector("th");
        if (cap && cap.textContent.trim() && !w.hasAttribute("aria-label")) {
          w.setAttribute("role", "region");
          w.setAttribute("aria-label", cap.textContent.trim());
        }
      } else if (w.hasAttribute("data-tabindex-added")) {
        w.removeAttribute("tabindex");
        w.removeAttribute("data-tabindex-added");
      }
    }
  };
  if (wrappers.length) {
    markScrollable();
    window.addEventListener("resize", markScrollable);
  }

  // Mirror notice: shown on any host but the official ones (data-official-hosts), not on file://.
  var notice = document.querySelector(".mirror-notice");
  if (notice && location.protocol !== "file:") {
    var hosts = (notice.getAttribute("data-official-hosts") || location.host).split(" ");
    if (hosts.indexOf(location.host) < 0 && hosts.indexOf(location.hostname) < 0) notice.hidden = false;
  }
})();

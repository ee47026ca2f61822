/* The main navigation folds into a menu on a narrow screen (docs/roles.md). Without this
   script the <details> stays open and every link shows; with it, a phone sees one
   「菜单 · 当前页」 line and opens the list with a tap. */
(function () {
  "use strict";
  var menu = document.querySelector("details.navmenu");
  if (!menu || !window.matchMedia) { return; }
  var narrow = window.matchMedia("(max-width: 700px)");
  function fit() { menu.open = !narrow.matches; }
  fit();
  if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
}());

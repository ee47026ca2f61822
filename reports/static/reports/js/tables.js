/* Sortable tables (docs/monitoring.md "Rankings and navigation"): every table of a page
 * with a <thead> sorts by a click on (or Enter on) a column head; a second click reverses.
 * A cell sorts by its data-sort attribute if it has one (e.g. the signed gap behind
 * 「落后 1.67个」), else by the first number in its text, else by its text (zh collation).
 * Sorting the rows of the current page only; the server's order (worst first) is the start.
 */
(function () {
  "use strict";

  var NUMBER = /[-\u2212]?\d[\d,]*(?:\.\d+)?/;

  function key(cell) {
    if (!cell) {
      return { n: null, t: "" };
    }
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    var match = text.match(NUMBER);
    var n = null;
    if (raw !== null && raw !== "" && !isNaN(Number(raw))) {
      n = Number(raw);
    } else if (match && raw === null) {
      n = Number(match[0].replace(/,/g, "").replace("\u2212", "-"));
      if (/落后|差\s/.test(text)) {
        n = -Math.abs(n); // 「落后 3个」 is behind: below every 「超前」
      }
    }
    return { n: n, t: text };
  }

  function compare(a, b) {
    if (a.n !== null && b.n !== null) {
      return a.n - b.n;
    }
    if (a.n !== null) {
      return -1;
    }
    if (b.n !== null) {
      return 1;
    }
    return a.t.localeCompare(b.t, "zh-Hans-CN");
  }

  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) {
      return;
    }
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows).filter(function (row) {
      return row.cells.length > index;
    });
    rows.sort(function (r1, r2) {
      var result = compare(key(r1.cells[index]), key(r2.cells[index]));
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i += 1) {
      heads[i].removeAttribute("aria-sort");
    }
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function enable(table) {
    if (!table.tHead || !table.tHead.rows.length || !table.tBodies.length) {
      return;
    }
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, index) {
      th.classList.add("sortable-head");
      th.tabIndex = 0;
      th.title = th.title || "点击排序";
      th.addEventListener("click", function () { sortBy(table, index, th); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, index, th);
        }
      });
    });
    table.classList.add("sortable");
  }

  function enableAll() {
    var tables = document.querySelectorAll("main table");
    for (var i = 0; i < tables.length; i += 1) {
      enable(tables[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enableAll);
  } else {
    enableAll();
  }
})();

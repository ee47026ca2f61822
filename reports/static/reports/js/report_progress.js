/* Progress bars of the 报告 page: poll each unfinished run's status JSON until it is done.
   No inline script: rows carry data-status-url; this file is loaded with defer. */
(function () {
  "use strict";
  var INTERVAL_MS = 1500;

  function text(row, role, value) {
    var el = row.querySelector('[data-role="' + role + '"]');
    if (el) { el.textContent = value; }
    return el;
  }

  function finish(row, data) {
    var bar = row.querySelector("progress");
    if (bar) { bar.remove(); }
    text(row, "percent", "");
    if (data.download_url) {
      var cell = row.querySelector('[data-role="download"]');
      var link = document.createElement("a");
      link.href = data.download_url;
      link.textContent = "下载 PDF";
      cell.textContent = "";
      cell.appendChild(link);
    }
    if (data.error) {
      var note = document.createElement("div");
      note.className = "error";
      note.textContent = data.error;
      row.querySelector('[data-role="state"]').appendChild(note);
    }
  }

  function poll(row) {
    fetch(row.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (data) {
        text(row, "state-label", data.state_label);
        var bar = row.querySelector("progress");
        if (bar) { bar.value = data.progress; }
        text(row, "percent", data.progress + "%");
        if (data.finished) { finish(row, data); } else { window.setTimeout(function () { poll(row); }, INTERVAL_MS); }
      })
      .catch(function () { window.setTimeout(function () { poll(row); }, INTERVAL_MS * 4); });
  }

  document.querySelectorAll("tr[data-status-url]").forEach(poll);
}());

/* Polls the import job's JSON status and updates the progress bar; reloads when finished. */
(function () {
  var box = document.getElementById("import-job");
  if (!box || box.dataset.finished) { return; }
  var url = box.dataset.statusUrl;
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        box.querySelector("[data-role=progress]").value = data.progress;
        box.querySelector("[data-role=percent]").textContent = data.progress + "%";
        box.querySelector("[data-role=state]").textContent = data.state_label;
        if (data.finished) { window.location.reload(); } else { setTimeout(tick, 1000); }
      })
      .catch(function () { setTimeout(tick, 3000); });
  }
  setTimeout(tick, 500);
})();

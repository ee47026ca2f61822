/* QualityTrack charts: draw every figure shipped as a json_script data island.
 *
 * A page marks a chart with <div class="chart" data-figure="ID"> and ships the figure
 * built in reports/figures.py as <script type="application/json" id="ID">. This one static
 * file draws them all with the vendored plotly.js: no inline scripts, no CDN.
 */
(function () {
  "use strict";

  var CONFIG = {
    displaylogo: false,
    responsive: true,
    // Plotly's own words (mode bar, dates) follow the page's language switch
    locale: (document.documentElement.lang || "zh-hans").indexOf("zh") === 0 ? "zh-CN" : "en",
    showSendToCloud: false, // intranets are offline; nothing leaves the building
    modeBarButtonsToRemove: ["select2d", "lasso2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function draw(element) {
    var island = document.getElementById(element.getAttribute("data-figure"));
    if (!island) {
      return;
    }
    var figure = JSON.parse(island.textContent);
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, CONFIG);
  }

  function drawAll() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    var charts = document.querySelectorAll("[data-figure]");
    for (var i = 0; i < charts.length; i += 1) {
      draw(charts[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();

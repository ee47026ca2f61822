/* QualityTrack charts: draw every figure shipped as a json_script data island.
 *
 * A page marks a chart with <div class="chart" data-figure="ID"> and ships the figure
 * built in reports/figures.py as <script type="application/json" id="ID">. This one static
 * file draws them all with the vendored plotly.js: no inline scripts, no CDN.
 *
 * Clicks (docs/monitoring.md "Rankings and navigation"): a figure may carry
 * layout.meta.links = {bar label: URL}; clicking a bar opens its URL, with the clicked
 * segment's status (trace.meta) added as ?status= so the list opens filtered.
 *
 * Print: each chart also gets a static PNG (Plotly.toImage, A4 width) shown only on paper,
 * so printed pages carry the charts whatever the browser does with SVG; the mode bar's
 * camera (下载为PNG图片) saves any chart as a PNG.
 */
(function () {
  "use strict";

  var PRINT_WIDTH = 700; // px: the printable width of A4 portrait with 15 mm margins

  /* A PNG of a chart as a data: URL. Plotly's own PNG export loads its SVG from a blob: URL,
   * which the Content-Security-Policy (img-src 'self' data:) refuses; so: the SVG as a data:
   * URL, drawn on a canvas, read back as PNG. */
  function pngOf(element, width, height) {
    return window.Plotly.toImage(element, { format: "svg", width: width, height: height })
      .then(function (svg) {
        return new Promise(function (resolve, reject) {
          var image = new Image();
          image.onload = function () {
            var canvas = document.createElement("canvas");
            canvas.width = width * 2;
            canvas.height = height * 2;
            var context = canvas.getContext("2d");
            context.fillStyle = "#ffffff";
            context.fillRect(0, 0, canvas.width, canvas.height);
            context.drawImage(image, 0, 0, canvas.width, canvas.height);
            resolve(canvas.toDataURL("image/png"));
          };
          image.onerror = reject;
          image.src = svg;
        });
      });
  }

  function savePng(element) {
    var rect = element.getBoundingClientRect();
    var name = element.getAttribute("data-figure") || "chart";
    return pngOf(element, Math.round(rect.width) || PRINT_WIDTH,
                 Math.round(rect.height) || 400).then(function (url) {
      var link = document.createElement("a");
      link.href = url;
      link.download = name + ".png";
      document.body.appendChild(link);
      link.click();
      link.parentNode.removeChild(link);
    });
  }

  var CONFIG = {
    displaylogo: false,
    responsive: true,
    // Plotly's own words (mode bar, dates) follow the page's language switch
    locale: (document.documentElement.lang || "zh-hans").indexOf("zh") === 0 ? "zh-CN" : "en",
    showSendToCloud: false, // intranets are offline; nothing leaves the building
    modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"],
    modeBarButtonsToAdd: [{
      name: "savePng",
      title: "下载为PNG图片",
      icon: null, // set below, once plotly.js is loaded
      click: function (gd) { savePng(gd); }
    }]
  };

  function linkFor(figure, point) {
    var meta = figure.layout && figure.layout.meta;
    var links = meta && meta.links;
    if (!links) {
      return null;
    }
    var horizontal = point.data && point.data.orientation === "h";
    var label = horizontal ? point.y : point.x;
    var url = links[label];
    if (!url) {
      return null;
    }
    var status = point.data && point.data.meta;
    if (status && typeof status === "string") {
      url += (url.indexOf("?") >= 0 ? "&" : "?") + "status=" + encodeURIComponent(status);
    }
    return url;
  }

  function printImage(element, figure) {
    var img = document.createElement("img");
    img.className = "chart-print";
    img.alt = element.getAttribute("aria-label") || "";
    element.parentNode.insertBefore(img, element.nextSibling);
    var height = (figure.layout && figure.layout.height) || 400;
    return pngOf(element, PRINT_WIDTH, height).then(function (url) {
      img.src = url;
      element.setAttribute("data-print-ready", "1");
    });
  }

  function draw(element) {
    var island = document.getElementById(element.getAttribute("data-figure"));
    if (!island) {
      return;
    }
    var figure = JSON.parse(island.textContent);
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, CONFIG).then(
      function () {
        if (figure.layout && figure.layout.meta && figure.layout.meta.links) {
          element.classList.add("clickable");
          element.on("plotly_click", function (event) {
            var url = event && event.points && event.points.length
              ? linkFor(figure, event.points[0]) : null;
            if (url) {
              window.location.href = url;
            }
          });
        }
        afterLoad(function () { printImage(element, figure); });
      }
    );
  }

  /* The print images are drawn once the page has loaded and the browser is idle, so they
   * never delay the page itself. */
  function afterLoad(work) {
    var idle = window.requestIdleCallback || function (fn) { return window.setTimeout(fn, 50); };
    if (document.readyState === "complete") {
      idle(work, { timeout: 3000 });
    } else {
      window.addEventListener("load", function () { idle(work, { timeout: 3000 }); });
    }
  }

  function drawAll() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    CONFIG.modeBarButtonsToAdd[0].icon = window.Plotly.Icons.camera;
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

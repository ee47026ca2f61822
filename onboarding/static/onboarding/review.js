// 审核页: a click on a proposal's quote scrolls the document to it and highlights it; a
// selection in the document fills the "add a missed target" form with its offsets
// (docs/onboarding.md §5). No inline script: the CSP allows our static files only.
(function () {
  "use strict";
  var doc = document.getElementById("document-text");
  if (!doc) { return; }

  document.querySelectorAll(".show-quote").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      doc.querySelectorAll("mark.active").forEach(function (m) { m.classList.remove("active"); });
      var marks = doc.querySelectorAll("mark.q-" + link.dataset.proposal);
      marks.forEach(function (m) { m.classList.add("active"); });
      if (marks.length) { marks[0].scrollIntoView({ block: "center" }); }
    });
  });

  function offsetOf(node, offset) {
    var el = node.nodeType === 3 ? node.parentElement : node;
    while (el && el !== doc && !el.dataset.start) { el = el.parentElement; }
    if (!el || el === doc) { return null; }
    return parseInt(el.dataset.start, 10) + (node.nodeType === 3 ? offset : 0);
  }

  var start = document.getElementById("id_start");
  var end = document.getElementById("id_end");
  var shown = document.getElementById("selected-text");
  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed || !start) { return; }
    var range = sel.getRangeAt(0);
    if (!doc.contains(range.startContainer) || !doc.contains(range.endContainer)) { return; }
    var a = offsetOf(range.startContainer, range.startOffset);
    var b = offsetOf(range.endContainer, range.endOffset);
    if (a === null || b === null || b <= a) { return; }
    start.value = a;
    end.value = b;
    shown.textContent = "已选:" + sel.toString().slice(0, 60);
  });
})();

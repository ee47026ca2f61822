/* 审核: the header checkbox selects every figure of the page awaiting approval. Shown only
   when this script runs (without it the page works row by row). */
(function () {
  "use strict";
  document.querySelectorAll("input.select-all").forEach(function (all) {
    var form = all.closest("form");
    var boxes = form.querySelectorAll('input[type="checkbox"][name="' + all.dataset.select + '"]');
    if (!boxes.length) { return; }
    all.hidden = false;
    function sync() {
      var checked = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      all.checked = checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  });
}());

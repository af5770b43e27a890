/* Lessons: a print button (hidden until this script runs, so it never shows without JS). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  /* Open the answers before printing so a printed lesson carries them, and close them again after. */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.answer:not([open])").forEach(function (d) { d.open = true; opened.push(d); });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
}());

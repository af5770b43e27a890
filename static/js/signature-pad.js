/* Signature pads ([data-signature-pad]): draw with pointer events (finger, pen, mouse) on a canvas,
 * "Hapus" clears it, and the PNG (data URL) goes into the hidden field [data-pad-output] whenever a
 * stroke ends. The canvas keeps its pixel size (600 x 240) and is scaled by CSS, so coordinates
 * are mapped through getBoundingClientRect. The form refuses to submit an empty pad. No inline script.
 */
(function () {
  "use strict";

  function setup(box) {
    var canvas = box.querySelector("canvas");
    var output = box.querySelector("[data-pad-output]");
    var status = box.querySelector("[data-pad-status]");
    var clear = box.querySelector("[data-pad-clear]");
    if (!canvas || !output || !canvas.getContext) { return; }
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false, last = null;

    function reset() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 3.2;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#10243e";
      inked = false;
      output.value = "";
      if (status) { status.textContent = ""; }
    }

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {x: (event.clientX - rect.left) * canvas.width / rect.width,
              y: (event.clientY - rect.top) * canvas.height / rect.height};
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      last = point(event);
      if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
      inked = true;
    });
    function finish() {
      if (!drawing) { return; }
      drawing = false;
      if (inked) {
        output.value = canvas.toDataURL("image/png");
        if (status) { status.textContent = status.getAttribute("data-done") || "\u2713"; }
      }
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("pointerleave", finish);
    if (clear) { clear.addEventListener("click", reset); }

    var form = box.closest("form");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (!output.value) {
          event.preventDefault();
          if (status) { status.textContent = box.getAttribute("data-empty-message") || "!"; }
          canvas.focus();
        }
      });
    }
    reset();
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setup);
})();

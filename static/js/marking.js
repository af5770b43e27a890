/* Marking screen and result pages of the assessment domain (no inline script; works without it).
 * - "Tandai waktu" writes the player's current time (m:ss) into the point's time field.
 * - A time link or "Putar di sini" ([data-seconds] / [data-seek-field]) seeks the player there.
 * - The recommendation K is disabled while any point is BK or unmarked (the server checks too).
 */
(function () {
  "use strict";

  function format(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) { return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss; }
    return m + ":" + ss;
  }

  function parse(text) {
    text = (text || "").trim();
    if (!/^\d{1,5}(:\d{1,2}){0,2}$/.test(text)) { return null; }
    return text.split(":").reduce(function (total, part) { return total * 60 + parseInt(part, 10); }, 0);
  }

  function videoFor(element) {
    var id = element.getAttribute("data-video");
    var box = id ? document.getElementById(id) : null;
    var scope = box || (element.closest && element.closest(".judged-version")) || document;
    return scope.querySelector("video") || document.querySelector("video");
  }

  function seek(video, seconds) {
    if (!video || seconds === null || isNaN(seconds)) { return false; }
    try {
      video.currentTime = seconds;
      var played = video.play();
      if (played && played.catch) { played.catch(function () {}); }
    } catch (e) { return false; }
    if (video.scrollIntoView) { video.scrollIntoView({ block: "nearest", behavior: "smooth" }); }
    return true;
  }

  function setupForm(form) {
    var points = Array.prototype.slice.call(form.querySelectorAll("[data-point]"));
    var recommendK = form.querySelector("[data-recommend-k]");
    var hint = form.querySelector("[data-k-hint]");

    function allK() {
      return points.every(function (point) {
        var checked = point.querySelector("input[data-result]:checked");
        return checked && checked.value === "K";
      });
    }

    function refresh() {
      if (!recommendK) { return; }
      var ok = allK();
      recommendK.disabled = !ok;
      if (!ok && recommendK.checked) { recommendK.checked = false; }
      if (hint) { hint.hidden = ok; }
    }

    points.forEach(function (point) {
      var field = point.querySelector("[data-time-field]");
      var stamp = point.querySelector("[data-stamp]");
      var play = point.querySelector("[data-seek-field]");
      if (stamp && field) {
        stamp.hidden = false;
        stamp.addEventListener("click", function () {
          var video = videoFor(play || stamp);
          if (!video) { return; }
          field.value = format(video.currentTime || 0);
          field.dispatchEvent(new Event("input"));
        });
      }
      if (play && field) {
        var sync = function () { play.hidden = parse(field.value) === null; };
        field.addEventListener("input", sync);
        sync();
        play.addEventListener("click", function () { seek(videoFor(play), parse(field.value)); });
      }
    });
    form.addEventListener("change", function (event) {
      if (event.target && event.target.hasAttribute("data-result")) { refresh(); }
    });
    refresh();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-seconds]") : null;
    if (!link) { return; }
    if (seek(videoFor(link), parseInt(link.getAttribute("data-seconds"), 10))) {
      event.preventDefault();
      var details = link.closest(".judged-version") && link.closest(".judged-version").querySelector("details.video-details");
      if (details) { details.open = true; }
    }
  });

  document.querySelectorAll("form[data-marking-form]").forEach(setupForm);
})();

/* Marking screen and result pages of the assessment domain (no inline script; all of it works
 * without JavaScript, see docs/assessments.md). What this adds:
 * - Time links ([data-seconds]) seek their version's player; a marker bar over each comment list.
 * - "C" (when the focus is not in a text field) or "Tandai waktu": the player PAUSES, the composer
 *   gets the current time (and the point, from a point's own button) and the focus. Saving the
 *   comment (fetch, JSON reply) RESUMES playback if the video was playing when the time was marked;
 *   Escape or "Batal" also resumes it.
 * - "Simpan draf" saves with fetch (no reload): the video keeps playing where it was.
 * - ?t=<seconds> in the address (a no-JS save redirects there) opens the video at that time.
 * - The recommendation K is disabled while any point is BK or unmarked (the server checks too).
 * Messages come from the page (data-msg-* attributes, translated by the server).
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

  function videoFor(element) {
    var id = element.getAttribute("data-video");
    if (id) {
      var box = document.getElementById(id);
      return box ? box.querySelector("video") : null;  // another version's time: never this player
    }
    var scope = (element.closest && element.closest(".judged-version")) || document;
    return scope.querySelector("video");
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

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function postJson(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": body.get("csrf_token") || "" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  // --- the marker bar over a comment list --------------------------------------------------

  function drawTimeline(root) {
    var bar = root.querySelector("[data-timeline-bar]");
    var items = root.querySelectorAll("[data-comment]");
    var empty = root.querySelector("[data-comments-empty]");
    if (empty) { empty.hidden = items.length > 0; }
    if (!bar) { return; }
    var video = videoFor(root);
    var duration = (video && isFinite(video.duration) && video.duration) || parseFloat(root.getAttribute("data-duration")) || 0;
    bar.textContent = "";
    if (!duration || !items.length) { bar.hidden = true; return; }
    Array.prototype.forEach.call(items, function (item) {
      var seconds = parseInt(item.getAttribute("data-seconds"), 10);
      var marker = document.createElement("button");
      marker.type = "button";
      marker.className = "timeline-marker";
      marker.setAttribute("data-seconds", String(seconds));
      marker.setAttribute("aria-label", (root.getAttribute("data-msg-marker") || "") + " " + format(seconds));
      marker.title = format(seconds);
      marker.style.left = Math.min(100, Math.max(0, 100 * seconds / duration)) + "%";
      bar.appendChild(marker);
    });
    bar.hidden = false;
  }

  function setupTimeline(root) {
    drawTimeline(root);
    var video = videoFor(root);
    if (video) { video.addEventListener("loadedmetadata", function () { drawTimeline(root); }); }
  }

  // --- the marking form: composer, draft saves, K rule -------------------------------------

  function setupForm(form) {
    var points = Array.prototype.slice.call(form.querySelectorAll("[data-point]"));
    var recommendK = form.querySelector("[data-recommend-k]");
    var hint = form.querySelector("[data-k-hint]");
    var box = form.querySelector("[data-comments]");
    var position = form.querySelector("[data-position]");
    var saveStatus = form.querySelector("[data-save-status]");
    var draftTag = form.querySelector("[data-draft-tag]");
    var video = box ? videoFor(box) : document.querySelector(".marking-video video");

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

    form.addEventListener("change", function (event) {
      if (event.target && event.target.hasAttribute("data-result")) { refresh(); }
    });
    refresh();

    function rememberPosition() {
      if (position && video && !isNaN(video.currentTime)) { position.value = String(Math.floor(video.currentTime)); }
    }

    if (box) { setupComposer(form, box, video); }

    form.addEventListener("submit", function (event) {
      rememberPosition();
      var submitter = event.submitter;
      var action = submitter && submitter.getAttribute("value");
      if (!window.fetch || !window.FormData || action !== "draf") { return; }  // finalise: a normal POST
      event.preventDefault();
      var body = new FormData(form);
      body.set("aksi", "draf");
      if (saveStatus) { saveStatus.textContent = ""; }
      submitter.disabled = true;
      postJson(form.action, body).then(function (reply) {
        submitter.disabled = false;
        if (saveStatus) {
          saveStatus.className = "small " + (reply.ok ? "save-ok" : "save-error");
          saveStatus.textContent = reply.data.message || reply.data.error || form.getAttribute("data-msg-failed");
        }
        if (reply.ok) {
          if (draftTag) { draftTag.hidden = false; }
          if (box && reply.data.list_html !== undefined) { box.replaceList(reply.data.list_html); }
          if (box && reply.data.comment_added) { box.clearComposer(); }
        }
      }, function () {
        submitter.disabled = false;
        if (saveStatus) { saveStatus.className = "small save-error"; saveStatus.textContent = form.getAttribute("data-msg-failed"); }
      });
    });
  }

  function setupComposer(form, box, video) {
    var composer = box.querySelector("[data-composer]");
    var home = composer.parentNode, homeNext = composer.nextSibling;
    var time = composer.querySelector("[data-composer-time]");
    var point = composer.querySelector("[data-composer-point]");
    var text = composer.querySelector("[data-composer-text]");
    var save = composer.querySelector("[data-composer-save]");
    var cancel = composer.querySelector("[data-composer-cancel]");
    var status = composer.querySelector("[data-composer-status]");
    var timelineRoot = box.querySelector("[data-timeline]");
    var list = box.querySelector("[data-comment-list]");
    var resume = false;

    function say(message, ok) {
      status.className = "small " + (ok ? "save-ok" : "save-error");
      status.textContent = message || "";
    }

    function open(fromPoint) {
      resume = !!(video && !video.paused && !video.ended);
      if (video) {
        video.pause();
        time.value = format(video.currentTime || 0);
      }
      if (fromPoint) {
        fromPoint.appendChild(composer);
        point.value = fromPoint.getAttribute("data-point-id") || "";
      } else {
        home.insertBefore(composer, homeNext);
      }
      cancel.hidden = false;
      say("", true);
      text.focus();
    }

    function close(play) {
      home.insertBefore(composer, homeNext);
      cancel.hidden = true;
      if (play && resume && video) {
        var played = video.play();
        if (played && played.catch) { played.catch(function () {}); }
      }
      resume = false;
    }

    box.clearComposer = function () { text.value = ""; time.value = ""; point.value = ""; };

    box.replaceList = function (html) {
      list.innerHTML = html;  // rendered by the server's template (comment text sanitised there)
      wireRemoveButtons();
      drawTimeline(timelineRoot);
    };

    function wireRemoveButtons() {
      Array.prototype.forEach.call(list.querySelectorAll("[data-remove-comment]"), function (button) {
        var item = button.closest("[data-comment]");
        var tick = item.querySelector("[data-remove-box]");
        if (tick) { tick.hidden = true; tick.querySelector("input").disabled = true; }
        button.hidden = false;
        button.addEventListener("click", function () {
          var body = new FormData();
          body.set("csrf_token", form.querySelector("input[name=csrf_token]").value);
          body.set("hapus", button.getAttribute("data-remove-comment"));
          button.disabled = true;
          postJson(box.getAttribute("data-add-url"), body).then(function (reply) {
            button.disabled = false;
            if (reply.ok) { box.replaceList(reply.data.list_html); }
            say(reply.ok ? box.getAttribute("data-msg-removed") : (reply.data.message || reply.data.error || box.getAttribute("data-msg-failed")), reply.ok);
          }, function () { button.disabled = false; say(box.getAttribute("data-msg-failed"), false); });
        });
      });
    }

    function submitComment(event) {
      event.preventDefault();
      var body = new FormData();
      body.set("csrf_token", form.querySelector("input[name=csrf_token]").value);
      body.set("waktu", time.value);
      body.set("butir", point.value);
      body.set("teks", text.value);
      save.disabled = true;
      postJson(box.getAttribute("data-add-url"), body).then(function (reply) {
        save.disabled = false;
        if (!reply.ok) { say(reply.data.message || reply.data.error || box.getAttribute("data-msg-failed"), false); return; }
        box.replaceList(reply.data.list_html);
        var draftTag = form.querySelector("[data-draft-tag]");
        if (draftTag) { draftTag.hidden = false; }
        box.clearComposer();
        close(true);
        say(box.getAttribute("data-msg-saved"), true);
      }, function () { save.disabled = false; say(box.getAttribute("data-msg-failed"), false); });
    }

    wireRemoveButtons();
    setupTimeline(timelineRoot);
    var markButton = box.querySelector("[data-mark-time]");
    markButton.hidden = false;
    markButton.addEventListener("click", function () { open(null); });
    Array.prototype.forEach.call(form.querySelectorAll("[data-point] [data-stamp]"), function (stamp) {
      stamp.hidden = false;
      stamp.addEventListener("click", function () { open(stamp.closest("[data-point]")); });
    });
    if (window.fetch && window.FormData) {
      save.addEventListener("click", function (event) {
        // Enter in another field of the form "clicks" the first submit button, which is this one.
        if (!composer.contains(document.activeElement) && form.requestSubmit) {
          event.preventDefault();
          form.requestSubmit(form.querySelector("[data-save-draft]"));
          return;
        }
        submitComment(event);
      });
    }
    // Cancelling forgets the marked time (a time left in the field would be kept by "Simpan draf").
    cancel.addEventListener("click", function () { if (!text.value.trim()) { time.value = ""; } close(true); });
    composer.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        if (!text.value.trim()) { time.value = ""; }
        close(true);
        markButton.focus();
      }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && window.fetch) { submitComment(event); }
    });
    document.addEventListener("keydown", function (event) {
      if ((event.key === "c" || event.key === "C") && !event.ctrlKey && !event.metaKey && !event.altKey &&
          !typing(event.target)) {
        event.preventDefault();
        open(null);
      }
    });
  }

  // --- everywhere ---------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-seconds]:not([data-comment])") : null;
    if (!link) { return; }
    var root = link.closest("[data-timeline]") || link;
    var video = videoFor(link.hasAttribute("data-video") ? link : root);
    if (seek(video, parseInt(link.getAttribute("data-seconds"), 10))) {
      event.preventDefault();
      var details = link.closest(".judged-version") && link.closest(".judged-version").querySelector("details.video-details");
      if (details) { details.open = true; }
    }
  });

  var start = /[?&]t=(\d{1,6})(&|$)/.exec(window.location.search);
  var firstVideo = document.querySelector(".marking-video video");
  if (start && firstVideo) {
    var at = parseInt(start[1], 10);
    var jump = function () { if (Math.abs(firstVideo.currentTime - at) > 1) { firstVideo.currentTime = at; } };
    if (firstVideo.readyState >= 1) { jump(); } else { firstVideo.addEventListener("loadedmetadata", jump, { once: true }); }
  }

  document.querySelectorAll("form[data-marking-form]").forEach(setupForm);
  document.querySelectorAll("[data-timeline]").forEach(function (root) {
    if (!root.closest("[data-comments]")) { setupTimeline(root); }
  });
})();

/* Video upload widget (templates/media/_upload_widget.html) on top of the vendored
 * tus-js-client (static/vendor/tus.min.js): resumable chunks, progress, speed, time left,
 * pause/resume, automatic retry with backoff, resume after a reload (fingerprint in
 * localStorage), then polling of /media/<id>/status until "siap" or "gagal".
 * Chunk size adapts (nextChunkSize): about CHUNK_SECONDS of sending per PATCH, from 1 MiB up
 * to 16 MiB on a fast link, halved after a failure. Under waitress a dropped PATCH loses its
 * whole body, so small chunks on a slow link are what keep a drop-out cheap.
 * Also polls every [data-media-status] element on the page. Vanilla JS, no inline code. */
(function () {
  "use strict";
  if (window.CoursewareUpload) { return; }
  window.CoursewareUpload = { version: 1 };

  var RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000, 60000];
  var CHUNK_MIN = 256 * 1024;
  var CHUNK_SECONDS = 2;

  /* The next PATCH size from the last one: aim at CHUNK_SECONDS of sending, at most double
   * per step, within [CHUNK_MIN, max]. failed=true halves it. (bench/upload.py --flaky runs it.) */
  function nextChunkSize(current, bytes, millis, failed, max) {
    var next = current;
    if (failed) {
      next = current / 2;
    } else if (bytes > 0 && millis > 0) {
      next = Math.min(current * 2, bytes * 1000 / millis * CHUNK_SECONDS);
    }
    return Math.max(CHUNK_MIN, Math.min(max, Math.round(next / 65536) * 65536 || CHUNK_MIN));
  }
  window.CoursewareUpload.nextChunkSize = nextChunkSize;

  function formatBytes(n) {
    if (n >= 1073741824) { return (n / 1073741824).toFixed(2) + " GB"; }
    if (n >= 1048576) { return (n / 1048576).toFixed(1) + " MB"; }
    return Math.max(0, Math.round(n / 1024)) + " KB";
  }

  function formatDuration(seconds) {
    if (!isFinite(seconds) || seconds < 0) { return ""; }
    seconds = Math.round(seconds);
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (h) { return h + " j " + m + " mnt"; }
    if (m) { return m + " mnt " + s + " dtk"; }
    return s + " dtk";
  }

  function serverMessage(err) {
    var res = err && err.originalResponse;
    if (!res) { return null; }
    try {
      var body = JSON.parse(res.getBody() || "{}");
      return body.message || body.error || null;
    } catch (e) {
      return null;
    }
  }

  function retryAfterMs(err) {
    var res = err && err.originalResponse;
    var value = res ? Number(res.getHeader("Retry-After")) : NaN;
    return isFinite(value) && value > 0 ? Math.min(value, 120) * 1000 : 0;
  }

  function statusOf(err) {
    return err && err.originalResponse ? err.originalResponse.getStatus() : 0;
  }

  /* Poll a status URL until the media file is ready or failed. */
  function pollStatus(url, onUpdate) {
    var delay = 2000;
    function tick() {
      var req = new XMLHttpRequest();
      req.open("GET", url, true);
      req.setRequestHeader("Accept", "application/json");
      req.onload = function () {
        var data = null;
        try { data = JSON.parse(req.responseText); } catch (e) { data = null; }
        if (req.status === 200 && data) {
          onUpdate(data);
          if (data.status === "siap" || data.status === "gagal") { return; }
        }
        if (req.status === 401 || req.status === 404) { return; }
        delay = Math.min(delay * 1.5, 15000);
        window.setTimeout(tick, delay);
      };
      req.onerror = function () {
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(tick, delay);
      };
      req.send();
    }
    tick();
  }

  function initWidget(root) {
    var msgs = {};
    try { msgs = JSON.parse(root.getAttribute("data-messages") || "{}"); } catch (e) { msgs = {}; }
    var input = root.querySelector("[data-upload-input]");
    var progress = root.querySelector("[data-upload-progress]");
    var bar = root.querySelector("[data-upload-bar]");
    var percentEl = root.querySelector("[data-upload-percent]");
    var bytesEl = root.querySelector("[data-upload-bytes]");
    var speedEl = root.querySelector("[data-upload-speed]");
    var etaEl = root.querySelector("[data-upload-eta]");
    var pauseBtn = root.querySelector("[data-upload-pause]");
    var resumeBtn = root.querySelector("[data-upload-resume]");
    var cancelBtn = root.querySelector("[data-upload-cancel]");
    var messageEl = root.querySelector("[data-upload-message]");
    var maxBytes = parseInt(root.getAttribute("data-max-bytes"), 10) || 0;
    var chunkSize = parseInt(root.getAttribute("data-chunk-size"), 10) || 1048576;
    var chunkMax = parseInt(root.getAttribute("data-chunk-max"), 10) || 16777216;
    var confirmed = 0; // bytes the server has acknowledged (Upload-Offset)
    var patchStarted = 0;
    var endpoint = root.getAttribute("data-endpoint");
    var kind = root.getAttribute("data-kind");
    var targetId = root.getAttribute("data-target-id");
    var csrf = root.getAttribute("data-csrf");
    var statusTemplate = root.getAttribute("data-status-url");
    var reload = root.getAttribute("data-reload") === "yes";
    var upload = null;
    var state = "idle"; // idle | running | paused | failed | done
    var lastSample = null;
    var speed = 0;

    function say(text, kindOfMessage) {
      messageEl.textContent = text || "";
      messageEl.className = "upload-message" + (kindOfMessage ? " is-" + kindOfMessage : "");
    }

    function setState(next) {
      state = next;
      pauseBtn.hidden = next !== "running";
      resumeBtn.hidden = !(next === "paused" || next === "failed");
      cancelBtn.hidden = next === "done" || next === "idle";
      input.disabled = next === "running" || next === "paused";
    }

    function onProgress(sent, total) {
      var now = Date.now();
      if (lastSample && now > lastSample.t) {
        var instant = (sent - lastSample.sent) * 1000 / (now - lastSample.t);
        if (instant >= 0) { speed = speed ? speed * 0.8 + instant * 0.2 : instant; }
      }
      if (!lastSample || now - lastSample.t > 500) { lastSample = { t: now, sent: sent }; }
      var pct = total ? Math.floor(sent * 100 / total) : 0;
      bar.value = pct;
      percentEl.textContent = pct + "%";
      bytesEl.textContent = "(" + formatBytes(sent) + " / " + formatBytes(total) + ")";
      speedEl.textContent = speed ? "· " + formatBytes(speed) + "/s" : "";
      etaEl.textContent = speed ? "· " + formatDuration((total - sent) / speed) + " " + (msgs.left || "") : "";
      if (sent >= total) { say(msgs.checking); }
    }

    /* While paused or after a failure the bar shows what the server holds, not what was sent. */
    function showConfirmed(total) {
      var pct = total ? Math.floor(confirmed * 100 / total) : 0;
      bar.value = pct;
      percentEl.textContent = pct + "%";
      bytesEl.textContent = "(" + (msgs.confirmed || "") + " " + formatBytes(confirmed) + " / " + formatBytes(total) + ")";
      speedEl.textContent = "";
      etaEl.textContent = "";
    }

    /* After a reload: ask the server (HEAD) how much of the earlier upload it has. */
    function fetchOffset(uploadUrl, total, done) {
      var req = new XMLHttpRequest();
      req.open("HEAD", uploadUrl, true);
      req.setRequestHeader("Tus-Resumable", "1.0.0");
      req.onload = function () {
        var offset = parseInt(req.getResponseHeader("Upload-Offset"), 10);
        if (req.status === 200 && isFinite(offset)) {
          confirmed = offset;
          if (state !== "running") { showConfirmed(total); }
        }
        done();
      };
      req.onerror = done;
      req.send();
    }

    function succeeded(fileId) {
      setState("done");
      bar.value = 100;
      percentEl.textContent = "100%";
      etaEl.textContent = "";
      say(msgs.done, "ok");
      root.dispatchEvent(new CustomEvent("media:uploaded", { bubbles: true, detail: { mediaFileId: fileId } }));
      if (reload) { window.setTimeout(function () { window.location.reload(); }, 800); return; }
      if (fileId && statusTemplate) {
        pollStatus(statusTemplate.replace("/0/", "/" + fileId + "/"), function (data) {
          if (data.status === "siap") { say(msgs.ready, "ok"); }
          else if (data.status === "gagal") { say((msgs.processFailed || "") + " " + (data.reason || ""), "error"); }
          else { say(data.label); }
          root.dispatchEvent(new CustomEvent("media:status", { bubbles: true, detail: data }));
        });
      }
    }

    /* The server holds every byte but has not made the file yet: PATCH nothing at the last offset
       (the server finishes there), retrying while it is busy; a refusal is shown as any other. */
    function finishOnServer(uploadUrl, total, attempt) {
      say(msgs.checking);
      var req = new XMLHttpRequest();
      req.open("PATCH", uploadUrl, true);
      req.setRequestHeader("Tus-Resumable", "1.0.0");
      req.setRequestHeader("Upload-Offset", String(total));
      req.setRequestHeader("Content-Type", "application/offset+octet-stream");
      req.setRequestHeader("X-CSRFToken", csrf);
      function retry() {
        if (attempt + 1 >= RETRY_DELAYS.length) { setState("failed"); say(msgs.failed, "error"); return; }
        var floor = Number(req.getResponseHeader("Retry-After")) * 1000 || 0;
        var wait = Math.max(RETRY_DELAYS[attempt + 1] * (0.75 + Math.random() * 0.5), floor * (1 + Math.random() * 0.5));
        say(msgs.retrying, "warn");
        window.setTimeout(function () { finishOnServer(uploadUrl, total, attempt + 1); }, wait);
      }
      req.onload = function () {
        var fileId = req.getResponseHeader("Media-File-Id");
        if (req.status === 204 && fileId) { succeeded(fileId); return; }
        if (req.status >= 500 || req.status === 429 || req.status === 423) { retry(); return; }
        var text = null;
        try { text = JSON.parse(req.responseText || "{}").message; } catch (e) { text = null; }
        setState("failed");
        say(text || msgs.failed, "error");
        resumeBtn.hidden = true;
        input.disabled = false;
      };
      req.onerror = retry;
      req.send(null);
    }

    function start(file) {
      if (!window.tus || !window.tus.isSupported) { say(msgs.noTus, "error"); return; }
      if (!file) { say(msgs.choose, "error"); return; }
      if (file.size === 0) { say(msgs.empty, "error"); return; }
      if (maxBytes && file.size > maxBytes) { say(msgs.tooBig, "error"); return; }
      progress.hidden = false;
      lastSample = null;
      speed = 0;
      upload = new window.tus.Upload(file, {
        endpoint: endpoint,
        chunkSize: chunkSize,
        retryDelays: RETRY_DELAYS.slice(),  // this upload's own copy: onShouldRetry adjusts it
        metadata: { filename: file.name, filetype: file.type || "", kind: kind, target_id: targetId },
        headers: { "X-CSRFToken": csrf },
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        fingerprint: function (f, options) {
          return Promise.resolve(["courseware", kind, targetId, f.name, f.type, f.size,
                                  f.lastModified, options.endpoint].join("|"));
        },
        onShouldRetry: function (err, attempt, options) {
          var status = statusOf(err);
          if (status >= 400 && status < 500 && status !== 409 && status !== 423 && status !== 429) { return false; }
          if (navigator.onLine === false) { return false; }
          upload.options.chunkSize = nextChunkSize(upload.options.chunkSize, 0, 0, true, chunkMax);
          showConfirmed(file.size);
          // tus-js-client reads retryDelays[attempt] after this returns: honour a busy server's
          // Retry-After (a floor: never earlier), and add jitter so a class's uploads do not
          // retry in step.
          options.retryDelays[attempt] = Math.round(Math.max(
            (options.retryDelays[attempt] || 0) * (0.75 + Math.random() * 0.5),
            retryAfterMs(err) * (1 + Math.random() * 0.5)));
          say(msgs.retrying, "warn");
          return true;
        },
        onBeforeRequest: function (req) {
          if (req.getMethod() === "PATCH") { patchStarted = Date.now(); }
        },
        onProgress: function (sent, total) { if (state === "running") { onProgress(sent, total); } },
        onChunkComplete: function (size, accepted) {
          upload.options.chunkSize = nextChunkSize(upload.options.chunkSize, size, Date.now() - patchStarted,
                                                   false, chunkMax);
          confirmed = accepted;
          if (state === "running") { say(msgs.uploading); }
        },
        onError: function (err) {
          var status = statusOf(err);
          setState("failed");
          showConfirmed(file.size);
          if (status === 401) { say(msgs.sessionEnded, "error"); return; }
          if (navigator.onLine === false) { say(msgs.offline, "warn"); return; }
          var text = serverMessage(err);
          if (text && status >= 400 && status < 500) {
            // Refused by the server (not a video, too big, not allowed): starting again will not help.
            say(text, "error");
            resumeBtn.hidden = true;
            input.disabled = false;
            return;
          }
          say(text || msgs.failed, "error");
        },
        onSuccess: function (payload) {
          var res = payload && payload.lastResponse;
          var fileId = res ? res.getHeader("Media-File-Id") : null;
          if (!fileId && upload.url) {
            // Every byte is on the server but its last step (checking and storing the file) failed,
            // and the client's retry only asked HEAD: an empty PATCH at the end asks it to finish.
            finishOnServer(upload.url, file.size, 0);
            return;
          }
          succeeded(fileId);
        }
      });
      setState("running");
      say(msgs.starting);
      confirmed = 0;
      upload.findPreviousUploads().then(function (previous) {
        if (previous && previous.length) {
          upload.resumeFromPreviousUpload(previous[0]);
          say(msgs.resuming);
          fetchOffset(previous[0].uploadUrl, file.size, function () { upload.start(); });
          return;
        }
        upload.start();
      });
    }

    input.addEventListener("change", function () {
      if (upload && (state === "running" || state === "paused")) { return; }
      start(input.files && input.files[0]);
    });
    pauseBtn.addEventListener("click", function () {
      if (upload && state === "running") {
        var current = upload;
        setState("paused"); showConfirmed(current.file.size); say(msgs.paused);
        // The PATCH in flight may still land on the server: ask it, now and once more a moment later.
        current.abort().then(function () {
          if (!current.url) { return; }
          fetchOffset(current.url, current.file.size, function () {
            window.setTimeout(function () {
              if (state === "paused") { fetchOffset(current.url, current.file.size, function () { return null; }); }
            }, 1500);
          });
        });
      }
    });
    resumeBtn.addEventListener("click", function () {
      if (upload && (state === "paused" || state === "failed")) {
        setState("running"); lastSample = null; speed = 0; say(msgs.uploading); upload.start();
      }
    });
    cancelBtn.addEventListener("click", function () {
      if (!upload) { return; }
      var current = upload;
      upload = null;
      current.abort(true).catch(function () { return null; });
      setState("idle");
      progress.hidden = true;
      input.value = "";
      say(msgs.cancelled);
    });
    window.addEventListener("online", function () {
      if (upload && state === "failed") { setState("running"); say(msgs.uploading); upload.start(); }
    });
    setState("idle");
  }

  function initStatus(el) {
    var status = el.getAttribute("data-media-status");
    if (status === "siap" || status === "gagal") { return; }
    var label = el.querySelector("[data-media-status-label]");
    pollStatus(el.getAttribute("data-status-url"), function (data) {
      el.setAttribute("data-media-status", data.status);
      el.className = "media-status media-status-" + data.status;
      if (label) { label.textContent = data.label + (data.status === "gagal" && data.reason ? ": " + data.reason : ""); }
      if (data.status === "siap" && el.getAttribute("data-reload") === "yes") { window.location.reload(); }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-upload-widget]"), initWidget);
    Array.prototype.forEach.call(document.querySelectorAll("[data-media-status]"), initStatus);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());

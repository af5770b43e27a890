/* Test page: save each answer the moment it is chosen, keep a queue across network failures
   (and reloads, in localStorage), show a countdown that follows the server's clock, and submit
   when time is up. Without JS the page still works: "Simpan" and "Kumpulkan" post the form. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var url = form.getAttribute("data-answer-url");
  var practice = form.getAttribute("data-practice") === "1";
  var state = document.getElementById("save-state");
  var clock = document.getElementById("countdown");
  var submitBtn = document.getElementById("submit-btn");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var storeKey = "quiz-queue:" + url;
  var queue = {};            // position -> {o: option id, s: sequence number}, the newest choice wins
  var lastSeq = 0;
  var sending = false;
  var retryDelay = 0;
  var autoSubmitting = false;
  var deadline = null;

  function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }
  function show(text, cls) { if (state) { state.textContent = text; state.className = "save-state " + (cls || ""); } }
  function persist() {
    try { localStorage.setItem(storeKey, JSON.stringify(queue)); } catch (e) { /* private mode */ }
  }
  // Every choice gets a sequence number that only rises (milliseconds, bumped past the last one
  // used, also across reloads): the server keeps the choice with the highest number, so a retry
  // of an older choice that reaches it late can never overwrite a newer one.
  function nextSeq() {
    var last = lastSeq;
    try { last = Math.max(last, Number(localStorage.getItem(storeKey + ":seq")) || 0); } catch (e) { /* private mode */ }
    lastSeq = Math.max(Date.now(), last + 1);
    try { localStorage.setItem(storeKey + ":seq", String(lastSeq)); } catch (e) { /* private mode */ }
    return lastSeq;
  }
  function restore() {
    try { queue = JSON.parse(localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { queue = {}; }
    Object.keys(queue).forEach(function (pos) {
      var entry = queue[pos];
      if (typeof entry !== "object" || entry === null) { entry = queue[pos] = { o: String(entry), s: nextSeq() }; }
      var input = form.querySelector('input[name="jawaban-' + pos + '"][value="' + entry.o + '"]');
      if (input && !input.disabled) { input.checked = true; } else { delete queue[pos]; }
    });
  }

  function showFeedback(pos, fb) {
    var box = document.getElementById("soal-" + pos);
    if (!box || !fb) { return; }
    box.classList.add("locked");
    box.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.disabled = true;
      var label = input.closest("label");
      if (Number(input.value) === fb.key_option_id) { label.classList.add("is-key"); }
      if (Number(input.value) === fb.chosen_option_id && !fb.correct) { label.classList.add("is-wrong"); }
    });
    var out = box.querySelector(".feedback");
    out.textContent = "";
    var verdict = document.createElement("p");
    verdict.className = fb.correct ? "ok" : "bad";
    var strong = document.createElement("strong");
    strong.textContent = fb.correct ? msg("correct") : msg("wrong");
    verdict.appendChild(strong);
    out.appendChild(verdict);
    if (fb.explanation) {
      var p = document.createElement("p");
      p.textContent = fb.explanation;
      out.appendChild(p);
    }
  }

  function sync(secondsLeft) {
    if (typeof secondsLeft === "number") { deadline = Date.now() + secondsLeft * 1000; }
  }

  function flush() {
    if (sending) { return; }
    var positions = Object.keys(queue);
    if (!positions.length) { return; }
    var pos = positions[0];
    var entry = queue[pos];
    sending = true;
    show(msg("saving"), "busy");
    var body = new URLSearchParams();
    body.set("posisi", pos);
    body.set("pilihan", entry.o);
    body.set("urutan", String(entry.s));
    body.set("csrf_token", tokenInput ? tokenInput.value : "");
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : "" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { res: res, data: data }; });
    }).then(function (r) {
      sending = false;
      if (r.res.ok && r.data.saved) {
        if (queue[pos] === entry) { delete queue[pos]; }   // a newer choice made meanwhile stays queued
        persist();
        retryDelay = 0;
        sync(r.data.seconds_left);
        if (practice) { showFeedback(pos, r.data.feedback); }
        show(msg("saved"), "ok");
        flush();
      } else if (r.res.status === 409 && r.data.redirect) {
        if (queue[pos] === entry) { delete queue[pos]; } persist();
        show(r.data.error || "", "bad");
        window.location.assign(r.data.redirect);
      } else if (r.res.status >= 500 || r.res.status === 429 || r.res.status === 0) {
        retry(retryAfterMs(r.res));
      } else {
        // Refused for good (bad choice, locked practice item, expired session): say why, drop it.
        if (queue[pos] === entry) { delete queue[pos]; } persist();
        show(r.data.error || r.data.message || r.res.statusText, "bad");
        flush();
      }
    }).catch(function () { sending = false; retry(0); });
  }

  // A busy server answers 503 with Retry-After (seconds): wait at least that long.
  function retryAfterMs(res) {
    var value = Number(res && res.headers ? res.headers.get("Retry-After") : NaN);
    return isFinite(value) && value > 0 ? Math.min(value, 60) * 1000 : 0;
  }

  function retry(serverDelay) {
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 1000, 15000);
    // Jitter: a class that was told "busy" together must not all come back in the same second.
    // The server's Retry-After is a floor (never earlier), the jitter only adds up to half of it.
    var wait = Math.max(retryDelay * (0.75 + Math.random() * 0.5),
                        (serverDelay || 0) * (1 + Math.random() * 0.5));
    show(msg("queued"), "bad");
    window.setTimeout(flush, wait);
  }

  // The answered counter and the navigator follow every choice.
  var counter = document.getElementById("answered-count");
  function unanswered() {
    var missing = [];
    form.querySelectorAll("fieldset[data-position]").forEach(function (box) {
      if (!box.querySelector("input[type=radio]:checked")) { missing.push(box.getAttribute("data-position")); }
    });
    return missing;
  }
  function refreshProgress() {
    var missing = unanswered();
    var total = form.querySelectorAll("fieldset[data-position]").length;
    if (counter) { counter.textContent = String(total - missing.length); }
    document.querySelectorAll("[data-nav]").forEach(function (link) {
      link.classList.toggle("answered", missing.indexOf(link.getAttribute("data-nav")) === -1);
    });
  }

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.name || input.name.indexOf("jawaban-") !== 0) { return; }
    refreshProgress();
    queue[input.name.slice(8)] = { o: input.value, s: nextSeq() };
    persist();
    flush();
  });
  window.addEventListener("online", flush);

  form.addEventListener("submit", function (event) {
    var missing = unanswered();
    var warning = missing.length ? msg("unanswered").replace("{n}", missing.join(", ")) + " " : "";
    if (event.submitter === submitBtn && !autoSubmitting && !window.confirm(warning + msg("confirm"))) {
      event.preventDefault();
      return;
    }
    try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
    if (submitBtn) { window.setTimeout(function () { submitBtn.disabled = true; }, 0); }
  });

  function tick() {
    if (deadline === null || !clock) { return; }
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    clock.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    clock.parentNode.classList.toggle("low", left <= 60);
    if (left === 0 && !autoSubmitting) {
      autoSubmitting = true;
      show(msg("timeup"), "bad");
      if (form.requestSubmit) { form.requestSubmit(submitBtn); } else { submitBtn.click(); }
      return;
    }
    window.setTimeout(tick, 1000);
  }

  // The teacher may close or shorten the test while this page is open: ask the server's clock
  // every 30 s (and when the tab comes back), so the countdown and a closed test are never stale.
  var timeUrl = form.getAttribute("data-time-url");
  function checkTime() {
    if (!timeUrl || autoSubmitting) { return; }
    fetch(timeUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (data.closed && data.redirect) { window.location.assign(data.redirect); return; }
        sync(data.seconds_left);
      }).catch(function () { /* offline: the local countdown goes on */ });
  }
  window.setInterval(checkTime, 30000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { checkTime(); } });

  restore();
  flush();
  if (clock) {
    sync(Number(clock.getAttribute("data-seconds-left")));
    tick();
  }
})();

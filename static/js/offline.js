/* Offline reading (every page): registers the service worker (/sw.js), keeps the lessons of the
 * signed-in user on the device, queues "selesai" marks made without network and sends them when
 * it returns, and deletes this user's stored pages on logout. Cache names match static/js/sw.js. */
(function () {
  "use strict";
  var user = document.body.getAttribute("data-user") || "";
  var USER_CACHE = "cw-user-" + user;
  var SHARED = "cw-shared-v1";
  var QUEUE = "cw-queue-" + user;
  var LIST = "/materi/offline.json";
  var hasCaches = "caches" in window;
  /* Messages come from the page (base.html, #cw-messages data-msg-*, rendered with gettext in the
   * user's language). */
  var MESSAGES = document.getElementById("cw-messages");
  function t(name, values) {
    return String((MESSAGES && MESSAGES.getAttribute("data-msg-" + name)) || "").replace(/\{(\w+)\}/g, function (all, key) {
      return values && key in values ? String(values[key]) : all;
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function () {});
  }

  function say(text, kind) {
    var box = document.getElementById("offline-status");
    if (!box) {
      box = document.createElement("p");
      box.id = "offline-status";
      box.setAttribute("role", "status");
      var main = document.getElementById("isi");
      if (!main) { return; }
      main.insertBefore(box, main.firstChild);
    }
    box.className = "flash flash-" + (kind || "info");
    box.textContent = text;
  }

  function readingList() {
    return fetch(LIST, {credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}})
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || type.indexOf("application/json") !== 0) { throw new Error("not a reading list"); }
        return r.json();
      }).then(function (info) {
        if (info.user !== user) { throw new Error("another user"); }
        return info;
      });
  }

  /* --- logout: this user's pages leave the device ------------------------------------------ */
  Array.prototype.forEach.call(document.querySelectorAll("form[data-logout]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!user || !hasCaches) { return; }
      event.preventDefault();
      var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) { worker.postMessage({type: "logout", user: user}); }
      var go = function () { form.submit(); };
      caches.delete(USER_CACHE).then(go, go);
    });
  });

  if (!user) { return; }

  /* --- reading progress made offline ------------------------------------------------------- */
  function readQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) {
    if (queue.length) { localStorage.setItem(QUEUE, JSON.stringify(queue)); } else { localStorage.removeItem(QUEUE); }
  }
  function queueMark(lesson, done) {
    var queue = readQueue().filter(function (m) { return m.lesson !== lesson; });
    queue.push({lesson: lesson, done: done, at: Date.now()});
    writeQueue(queue);
  }
  function forget(lesson) {
    writeQueue(readQueue().filter(function (m) { return m.lesson !== lesson; }));
  }

  function send(mark, token) {
    var body = new FormData();
    body.append("csrf_token", token);
    body.append("done", mark.done ? "1" : "0");
    return fetch("/materi/" + encodeURIComponent(mark.lesson) + "/selesai", {
      method: "POST", body: body, credentials: "same-origin", headers: {Accept: "application/json"}
    }).then(function (r) {
      // 400 is a refused token: keep the mark for the next try. 403/404: it can never succeed.
      if (r.ok || r.status === 403 || r.status === 404) { forget(mark.lesson); }
      return r.ok ? 1 : 0;
    });
  }

  var flushing = null;
  function flush() {
    if (flushing || !navigator.onLine || !readQueue().length) { return flushing || Promise.resolve(0); }
    flushing = readingList().then(function (info) {
      return readQueue().reduce(function (chain, mark) {
        return chain.then(function (sent) { return send(mark, info.csrf).then(function (n) { return sent + n; }); });
      }, Promise.resolve(0));
    }).then(function (sent) {
      if (sent) {
        say(t(sent === 1 ? "sent-one" : "sent-many", {n: sent}), "success");
        document.body.setAttribute("data-offline-sent", String(sent));
      }
      return sent;
    }).catch(function () { return 0; }).then(function (sent) { flushing = null; return sent; });
    return flushing;
  }

  function showQueued(form) {
    var card = form.closest(".mark-done") || form.parentNode;
    var note = card.querySelector(".offline-queued") || document.createElement("p");
    note.className = "offline-queued flash flash-info";
    note.textContent = t("queued");
    card.appendChild(note);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-mark]"), function (form) {
    var lesson = form.getAttribute("data-offline-mark");
    if (readQueue().some(function (m) { return m.lesson === lesson; })) { showQueued(form); }
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }
      event.preventDefault();
      var field = form.querySelector("input[name=done]");
      queueMark(lesson, !field || field.value !== "0");
      showQueued(form);
    });
  });

  window.addEventListener("online", flush);
  flush();

  /* --- the overview: what is stored, and "simpan semua materi" ----------------------------- */
  var panel = document.querySelector("[data-offline-save]");
  if (!panel || !hasCaches) { return; }
  var button = panel.querySelector("button");
  var bar = panel.querySelector("progress");
  var label = panel.querySelector("[data-offline-label]");
  panel.hidden = false;

  function markStored() {
    return caches.open(USER_CACHE).then(function (cache) {
      var links = document.querySelectorAll("a[data-offline-page]");
      return Promise.all(Array.prototype.map.call(links, function (link) {
        return cache.match(link.getAttribute("href"), {ignoreVary: true}).then(function (hit) {
          var item = link.closest("li");
          var next = link.nextElementSibling;
          var tag = item ? item.querySelector(".tag-stored") : (next && next.classList.contains("tag-stored") ? next : null);
          if (item) { item.classList.toggle("is-stored", !!hit); }
          if (hit && !tag) {
            tag = document.createElement("span");
            tag.className = "tag tag-stored";
            tag.textContent = t("stored");
            if (item) { (item.querySelector(".lesson-meta") || item).appendChild(tag); } else { link.insertAdjacentElement("afterend", tag); }
          }
          return !!hit;
        });
      }));
    });
  }

  function store(cache, url, credentials) {
    return fetch(url, {credentials: credentials, cache: "no-store"}).then(function (r) {
      if (!r.ok || r.redirected) { throw new Error(url); }
      return cache.put(url, r);
    });
  }

  function saveAll() {
    if (!navigator.onLine) { label.textContent = t("offline"); return Promise.resolve(); }
    button.disabled = true;
    bar.hidden = false;
    label.textContent = t("saving");
    return readingList().then(function (info) {
      return Promise.all([caches.open(USER_CACHE), caches.open(SHARED)]).then(function (c) {
        var jobs = info.pages.map(function (u) { return [c[0], u, "same-origin"]; }).concat(
          info.assets.map(function (u) { return [c[1], u, u === "/offline" ? "omit" : "same-origin"]; }));
        var done = 0, failed = 0, next = 0;
        bar.max = jobs.length;
        bar.value = 0;
        function worker() {
          if (next >= jobs.length) { return Promise.resolve(); }
          var job = jobs[next++];
          return store(job[0], job[1], job[2]).catch(function () { failed += 1; }).then(function () {
            done += 1;
            bar.value = done;
            label.textContent = t("progress", {done: done, total: jobs.length});
            return worker();
          });
        }
        return Promise.all([worker(), worker(), worker()]).then(function () {
          label.textContent = failed ? t("failed", {n: failed}) : t("done", {n: info.pages.length});
          panel.setAttribute("data-offline-done", failed ? "partial" : "all");
        });
      });
    }).catch(function () {
      label.textContent = t("error");
    }).then(function () {
      button.disabled = false;
      return markStored();
    });
  }

  button.addEventListener("click", saveAll);
  markStored();
  // Opening the overview online is enough to take every lesson along (unless data saving is on).
  var saveData = navigator.connection && navigator.connection.saveData;
  if (navigator.onLine && !saveData) { saveAll(); }
}());

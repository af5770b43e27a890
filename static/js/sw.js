/* Service worker (served as /sw.js, scope /): lessons readable offline, live pages never cached.
 *
 * - Reading pages (/materi/, /materi/<lesson>, /materi/kamus, /materi/referensi): network first;
 *   a good response is kept in the cache of the user the server names in X-Courseware-User
 *   ("cw-user-<id>"); without network the copy of the current user is served.
 * - Every other page (tests, uploads, marking, admin ...): network only; without network the
 *   shared "Anda sedang offline" page. Never cached.
 * - /static/: served from the shared cache when present, refreshed in the background.
 * The current user is the one named by the last page that came over the network; a page for
 * nobody (the login page after logging out) means no user, so no stored page is served.
 */
"use strict";
var SHARED = "cw-shared-v1";
var META = "cw-meta";
var USER_PREFIX = "cw-user-";
var OFFLINE_URL = "/offline";
var PRECACHE = ["/static/css/app.css", "/static/css/lessons.css", "/static/js/lessons.js",
                "/static/js/offline.js", "/static/favicon.svg", "/static/icons/icon-192.png"];

function isReading(path) {
  if (path === "/materi/" || path === "/materi/kamus" || path === "/materi/referensi") { return true; }
  var m = /^\/materi\/([^/]+)$/.exec(path);
  return !!m && m[1] !== "rencana" && m[1] !== "offline.json";
}

function setUser(id) {
  return caches.open(META).then(function (c) { return c.put("/__cw/user", new Response(id || "")); });
}

function currentUser() {
  return caches.open(META).then(function (c) { return c.match("/__cw/user"); })
    .then(function (r) { return r ? r.text() : ""; });
}

function offlinePage() {
  return caches.open(SHARED).then(function (c) { return c.match(OFFLINE_URL); }).then(function (hit) {
    // Last resort when even the stored /offline page is missing: no page to take words from, so both languages.
    return hit || new Response("<!doctype html><html lang=\"id\"><meta charset=\"utf-8\"><title>Offline</title>" +
      "<h1>Anda sedang offline</h1><p>Halaman ini membutuhkan koneksi internet.</p>" +
      "<div lang=\"en\"><h2>You are offline</h2><p>This page needs an internet connection.</p></div></html>",
      {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHARED).then(function (cache) {
    // The offline page is fetched without cookies: it is shared, so it must name nobody.
    return Promise.all([
      cache.addAll(PRECACHE),
      fetch(OFFLINE_URL, {credentials: "omit"}).then(function (r) { return r.ok ? cache.put(OFFLINE_URL, r) : null; })
    ]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("cw-shared-") === 0 && k !== SHARED; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

/* Notes the owner of a page that came over the network; returns the owner ("" for nobody). */
function noteOwner(response) {
  var type = response.headers.get("Content-Type") || "";
  if (!response.ok || type.indexOf("text/html") !== 0) { return Promise.resolve(null); }
  var owner = response.headers.get("X-Courseware-User") || "";
  return setUser(owner).then(function () { return owner; });
}

function readingPage(request, path) {
  return fetch(request).then(function (response) {
    return noteOwner(response).then(function (owner) {
      if (owner && response.ok && !response.redirected) {
        var copy = response.clone();
        return caches.open(USER_PREFIX + owner).then(function (c) { return c.put(path, copy); })
          .then(function () { return response; });
      }
      return response;
    });
  }).catch(function () {
    return currentUser().then(function (user) {
      if (!user) { return null; }
      return caches.open(USER_PREFIX + user).then(function (c) { return c.match(path, {ignoreVary: true}); });
    }).then(function (hit) { return hit || offlinePage(); });
  });
}

function livePage(request) {
  return fetch(request).then(function (response) {
    return noteOwner(response).then(function () { return response; });
  }).catch(offlinePage);
}

function asset(request) {
  return caches.open(SHARED).then(function (cache) {
    return cache.match(request).then(function (hit) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (hit) { fresh.catch(function () {}); return hit; }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(asset(request));
  } else if (isReading(url.pathname) && (request.mode === "navigate" || request.destination === "document")) {
    event.respondWith(readingPage(request, url.pathname));
  } else if (request.mode === "navigate") {
    event.respondWith(livePage(request));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "logout" && data.user) {
    event.waitUntil(caches.delete(USER_PREFIX + data.user).then(function () { return setUser(""); }));
  }
});

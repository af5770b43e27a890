// The class archive's progress page: polls the JSON status every 2 s until the ZIP is ready or failed.
// Without JavaScript the page offers a plain "Muat ulang" link instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-archive-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-archive-status");
  var bar = box.querySelector("progress");
  var percent = box.querySelector("[data-archive-percent]");
  var text = box.querySelector("[data-archive-text]");
  var ready = box.querySelector("[data-archive-ready]");
  var failed = box.querySelector("[data-archive-failed]");
  var reload = box.querySelector("[data-archive-reload]");
  var template = text ? text.textContent : "";

  function show(data) {
    bar.value = data.percent;
    bar.textContent = data.percent + " %";
    percent.textContent = data.percent;
    if (text) {
      text.textContent = template.replace(/\d+/, String(data.done)).replace(/(\D+)\d+(\D*)$/, "$1" + data.total + "$2");
    }
    if (data.state === "selesai") {
      ready.hidden = false;
      reload.hidden = true;
      if (data.download) { ready.querySelector("a").href = data.download; }
      return true;
    }
    if (data.state === "gagal") {
      failed.hidden = false;
      reload.hidden = true;
      return true;
    }
    return false;
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && show(data)) { return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 4000); });
  }
  reload.querySelector("span") && (reload.querySelector("span").hidden = true);
  poll();
}());

// Offline capture on the pages: registers the service worker, makes the device key at login,
// keeps a quick-capture note (encrypted, offline-queue.js) when Save is pressed without a network,
// shows how many notes wait, sends them when the network is back, and warns before a logout
// would delete unsent notes. Progressive enhancement: without it, forms post as always.
"use strict";
(function offline() {
  const Q = self.FokusQueue;
  if (!Q || !window.indexedDB || !window.crypto || !crypto.subtle) return;
  const body = document.body;
  const user = body.dataset.offlineUser;
  const words = (() => { try { return JSON.parse(body.dataset.offlineI18n || "{}"); } catch (e) { return {}; } })();
  const NEW_ENTRY = /^\/entries\/new\/[a-z_]+$/;
  const freshId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

  // One status line at the top of the page, empty (and hidden) when nothing waits.
  const status = document.querySelector(".offline-status") || (() => {
    const p = document.createElement("p");
    p.className = "offline-status muted";
    p.setAttribute("role", "status");
    const main = document.getElementById("main");
    if (main) main.prepend(p);
    return p;
  })();
  const show = (n, extra) => {
    const count = n === 1 ? words.one : (words.many || "").replace("%(num)s", String(n));
    status.textContent = n ? [count, extra].filter(Boolean).join(" ") : "";
    status.hidden = !n;
  };
  const refresh = (extra) => Q.waiting().then((n) => show(n, extra)).catch(() => {});

  const send = () => {
    if (!navigator.onLine) return refresh();
    return Q.flush()
      .then((r) => show(r.waiting, r.expired ? words.login : r.failed ? words.unsent : ""))
      .catch(() => refresh());
  };

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  if (new URLSearchParams(location.search).get("kept")) {
    const kept = document.querySelector(".offline-kept");
    if (kept) kept.hidden = false;
  }
  (user ? Q.ensureKey(user) : Promise.resolve()).catch(() => {}).then(send);
  window.addEventListener("online", send);
  window.addEventListener("offline", () => refresh());

  // A quick-capture form: an empty one from the worker's cache gets its own id here.
  const form = document.querySelector("form.js-autosave");
  // getAttribute: the form's Save buttons are named "action", which hides form.action.
  const target = form && new URL(form.getAttribute("action") || "", location.href).pathname;
  const isNew = Boolean(target) && NEW_ENTRY.test(target);
  if (isNew && !form.elements.draft_id.value) form.elements.draft_id.value = freshId();

  // Save without a network: keep the note here instead of letting the browser show its error page.
  // (With the worker in control it would keep it too; this also covers the first visit.)
  if (isNew) form.addEventListener("submit", (event) => {
    const action = event.submitter && event.submitter.value;
    if (navigator.onLine || action === "more-films") return;
    event.preventDefault();
    const data = new FormData(form);
    data.set("action", action === "draft" ? "draft" : "save");
    const fields = [...data.entries()].filter(([k, v]) => k !== "csrf_token" && typeof v === "string");
    Q.enqueue(form.elements.draft_id.value, target, fields)
      .then(() => {
        if (navigator.serviceWorker) {   // Background Sync, where the browser has it
          navigator.serviceWorker.ready.then((r) => r.sync && r.sync.register("fokus-send")).catch(() => {});
        }
        if (navigator.serviceWorker && navigator.serviceWorker.controller) {
          location.assign("/offline?kept=1");
          return;
        }
        form.reset();
        form.elements.draft_id.value = freshId();
        return refresh(words.kept);
      })
      .catch(() => refresh(words.unsent));
  });

  // Logout deletes the key (and so every note sealed under it): send first, then ask.
  document.addEventListener("submit", (event) => {
    const out = event.target;
    if (!out.matches('form[action$="/logout"]') || out.dataset.offlineChecked) return;
    event.preventDefault();
    const leave = () => { out.dataset.offlineChecked = "1"; out.submit(); };
    Promise.resolve(navigator.onLine ? Q.flush().catch(() => {}) : null)
      .then(() => Q.waiting())
      .then((n) => {
        if (n && !window.confirm(words.logout)) return null;
        return Q.forget().then(leave);
      })
      .catch(leave);
  }, true);
})();

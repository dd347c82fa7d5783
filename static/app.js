// Progressive enhancement only: every page works without this file.
"use strict";
document.documentElement.classList.add("js");

// The page's language for the few words this file shows: <body data-i18n> (set by the server from
// the same catalogue as every page), English as the fallback.
const T = (() => {
  try { return JSON.parse(document.body.dataset.i18n || "{}"); } catch (e) { return {}; }
})();
const t = (key, fallback, vars) => {
  let text = T[key] || fallback;
  for (const [k, v] of Object.entries(vars || {})) text = text.replace("%(" + k + ")s", v);
  return text;
};

document.addEventListener("click", (event) => {
  const copy = event.target.closest("[data-copy]");
  if (copy && navigator.clipboard) {
    navigator.clipboard.writeText(copy.dataset.copy).then(() => {
      const old = copy.textContent;
      copy.textContent = t("copied", "Copied");
      setTimeout(() => { copy.textContent = old; }, 1500);
    });
  }
  if (event.target.closest("[data-print]")) window.print();
});

// Draft autosave: a few seconds after typing stops, the form is posted as a draft (encrypted on
// the server like everything else). Nothing is kept in the browser's storage.
(function autosave() {
  const form = document.querySelector("form.js-autosave");
  if (!form || !window.fetch) return;
  const status = form.querySelector(".autosave-status");
  let timer = null;
  let dirty = false;
  const say = (text) => { if (status) status.textContent = text; };
  const save = () => {
    if (!dirty) return;
    dirty = false;
    const body = new FormData(form);
    body.set("action", "draft");
    fetch(form.dataset.autosaveUrl, { method: "POST", body, credentials: "same-origin",
                                      headers: { "Accept": "application/json" } })
      // A 401 is the login page, not JSON: the session ended. Save still works (it asks to log in
      // and keeps the text), so say that instead of "offline".
      .then((r) => (r.status === 401 ? { ok: false, j: { expired: true } }
                                     : r.json().then((j) => ({ ok: r.ok, j }))))
      .then(({ ok, j }) => {
        if (ok && j.ok && !j.skipped) {
          // An edit form names the version it was opened with; its own autosave moves that on.
          const version = form.querySelector("input[name=version]");
          if (version && version.value && j.version) version.value = String(j.version);
          const time = new Date().toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
          say(t("draft_saved", "Draft saved %(time)s", { time }));
        } else if (j.conflict) {
          say(t("draft_newer", "There is a newer version of this draft, saved on another device."));
        } else if (j.expired) {
          say(t("session_ended", "Your session has ended. Press Save: after logging in, your text will be back."));
        } else if (!ok) {
          say(t("draft_not_saved", "Draft not saved yet; your text is still here."));
        }
      })
      .catch(() => say(t("offline", "Offline? Your text is still here; press Save when you can.")));
  };
  form.addEventListener("input", () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 4000);
  });
})();

// A shared thread reports that it was shown (the "new" marks, the owner's access log). Page views
// never write on the server; without scripts the "Mark as read" button does the same.
(function markSeen() {
  const form = document.querySelector("form.js-seen");
  if (!form || !window.fetch) return;
  fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                       headers: { "Accept": "application/json" } }).catch(() => {});
})();

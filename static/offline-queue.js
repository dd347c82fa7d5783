// Notes written offline: encrypted at once, kept in IndexedDB, sent later exactly once.
// Loaded by the pages (<script>) and by the service worker (importScripts), so both can send.
//
// What is at rest in the browser: one AES-GCM key (non-extractable, made at login, deleted at
// logout), the account id the notes belong to, and per note its form-chosen id, an IV and the
// ciphertext. The kind, the text and every choice are inside the ciphertext. Sending goes through
// the journal's own create with that id, so a note sent twice (a tab closed between the server's
// answer and the delete below) is still one entry.
"use strict";
(function (root) {
  const DB = "fokus-offline";
  const LOCK = "fokus-offline-send";
  const ENTRY = /^\/entries\/[0-9a-f]{32}$/;
  const NEW = /^\/entries\/new\/[a-z_]+$/;
  const ID = /^[0-9a-f]{32}$/;

  function open() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore("keys");
        db.createObjectStore("meta");
        db.createObjectStore("queue", { keyPath: "id" });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  // One transaction on one store; resolves with the last request's result once it committed.
  function tx(store, mode, work) {
    return open().then((db) => new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      let out;
      const req = work(t.objectStore(store));
      if (req) req.onsuccess = () => { out = req.result; };
      t.oncomplete = () => { db.close(); resolve(out); };
      t.onerror = t.onabort = () => { db.close(); reject(t.error); };
    }));
  }
  const get = (store, key) => tx(store, "readonly", (s) => s.get(key));
  const all = (store) => tx(store, "readonly", (s) => s.getAll());
  const remove = (store, key) => tx(store, "readwrite", (s) => s.delete(key));
  const aad = (id, owner) => new TextEncoder().encode("fokus-offline-note|" + id + "|" + owner);

  // At login (any page of a logged-in account): the device key, made once. `add` never replaces
  // a key another tab made meanwhile, so notes already sealed under it stay readable.
  async function ensureKey(user) {
    if (!(await get("keys", "device"))) {
      const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
      await tx("keys", "readwrite", (s) => s.add(key, "device")).catch(() => {});
    }
    await tx("meta", "readwrite", (s) => s.put(user, "user"));
  }

  // Logout: the key, the account id and every note go (the caller has warned about unsent notes).
  async function forget() {
    for (const store of ["queue", "meta", "keys"]) await tx(store, "readwrite", (s) => s.clear());
  }

  // fields: [[name, value], ...] of the posted form, without its CSRF token.
  async function enqueue(id, path, fields) {
    const key = await get("keys", "device");
    const owner = await get("meta", "user");
    if (!key || !owner || !ID.test(id) || !NEW.test(path)) throw new Error("cannot keep this note");
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const plain = new TextEncoder().encode(JSON.stringify({ path, fields }));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad(id, owner) }, key, plain);
    await tx("queue", "readwrite", (s) => s.put({ id, owner, iv, data, at: Date.now() }));
  }

  async function waiting() {
    return (await all("queue")).length;
  }

  async function opened(item, key) {
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: item.iv, additionalData: aad(item.id, item.owner) },
                                              key, item.data);
    return JSON.parse(new TextDecoder().decode(plain));
  }

  // One note: a real save first; when the journal answers with its form again (the privacy check
  // or a field it refuses), the same note is kept as a draft instead, to be finished there.
  async function send(note, csrf) {
    const body = new FormData();
    for (const [k, v] of note.fields) body.append(k, v);
    body.set("csrf_token", csrf);
    if (body.get("action") !== "draft") {
      body.set("action", "save");
      const r = await fetch(note.path, { method: "POST", body, credentials: "same-origin" });
      if (r.status === 401) return "expired";
      if (r.redirected && ENTRY.test(new URL(r.url).pathname)) return "sent";
      if (r.status >= 500 || r.status === 429) return "later";
    }
    body.set("action", "draft");
    const d = await fetch("/entries/autosave", { method: "POST", body, credentials: "same-origin",
                                                headers: { Accept: "application/json" } });
    if (d.status === 401) return "expired";
    return d.ok ? "sent" : "later";
  }

  async function sendAll() {
    const items = await all("queue");
    if (!items.length) return { waiting: 0 };
    const r = await fetch("/offline/token", { credentials: "same-origin", cache: "no-store",
                                              headers: { Accept: "application/json" } });
    if (r.status === 401) return { waiting: items.length, expired: true };
    if (!r.ok) return { waiting: items.length, failed: true };
    const { csrf, user } = await r.json();
    const key = await get("keys", "device");
    let left = items.length;
    for (const item of items) {
      if (item.owner !== user || !key) continue;   // another account's notes wait for it
      const outcome = await send(await opened(item, key), csrf);
      if (outcome === "expired") return { waiting: left, expired: true };
      if (outcome === "sent") { await remove("queue", item.id); left -= 1; }
    }
    return { waiting: left, failed: left > 0 };
  }

  // Pages and the worker may try at the same moment: one sender at a time.
  function flush() {
    const locks = root.navigator && root.navigator.locks;
    return locks ? locks.request(LOCK, sendAll) : sendAll();
  }

  root.FokusQueue = { ensureKey, forget, enqueue, waiting, flush, ID };
})(self);

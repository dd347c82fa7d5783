// Fokus service worker, served at /sw.js (blueprints/offline.py puts self.FOKUS above this line:
// the cache name, the precache list, the queue script's URL).
//
// Caches only what holds no user content: fingerprinted static files, the offline page and the
// empty quick-capture forms. Journal pages are always fetched from the network and never stored;
// without a network the offline page (or the empty form for /entries/new/<kind>) stands in.
// A quick-capture form posted without a network is encrypted into the queue (offline-queue.js).
"use strict";
importScripts(self.FOKUS.queue);

const NEW_ENTRY = /^\/entries\/new\/([a-z_]+)$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(self.FOKUS.cache)
    .then((cache) => cache.addAll(self.FOKUS.precache))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("fokus-") && n !== self.FOKUS.cache)
                                      .map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

function standIn(url) {
  const kind = NEW_ENTRY.exec(url.pathname);
  const shell = kind && caches.match(self.FOKUS.shell.replace("KIND", kind[1]));
  return Promise.resolve(shell)
    .then((hit) => hit || caches.match(self.FOKUS.offline))
    .then((hit) => hit || Response.error());
}

// The form goes to the network as usual; only when that fails is it kept, encrypted. If even that
// fails, 204 leaves the browser on the form with the text in it.
async function postOrKeep(request, url) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (offline) {
    const form = await copy.formData();
    if (form.get("action") === "more-films") return new Response(null, { status: 204 });
    const fields = [...form.entries()].filter(([k, v]) => k !== "csrf_token" && typeof v === "string");
    try {
      await self.FokusQueue.enqueue(String(form.get("draft_id") || ""), url.pathname, fields);
    } catch (failed) {
      return new Response(null, { status: 204 });
    }
    if (self.registration.sync) self.registration.sync.register("fokus-send").catch(() => {});
    return Response.redirect(self.FOKUS.offline + "?kept=1", 303);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && NEW_ENTRY.test(url.pathname)) {
    event.respondWith(postOrKeep(request, url));
  } else if (request.method !== "GET") {
    return;
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => standIn(url)));
  }
});

// Background Sync: the browser wakes the worker when the network is back. A failed send rejects,
// so the browser tries again later; an ended session resolves (the next login sends).
self.addEventListener("sync", (event) => {
  if (event.tag !== "fokus-send") return;
  event.waitUntil(self.FokusQueue.flush().then((result) => {
    if (result.failed) throw new Error("not all notes were sent");
  }));
});

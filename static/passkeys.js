// Passkeys: the browser's own WebAuthn API, no library. Options come from the server as JSON;
// the answer goes back as a form post with the page's CSRF token. Where the authenticator has the
// PRF extension, its output for this credential's salt is sent along (like a password) so the
// server can unwrap the journal key; it is never kept in the page or in storage.
(function () {
  "use strict";
  var STORE = "fokus-passkeys"; // credential ids registered from this browser (not secret)
  // Words in the page's language: <body data-i18n> (blueprints/i18n.py JS_STRINGS), English fallback.
  var T = (function () {
    try { return JSON.parse(document.body.dataset.i18n || "{}"); } catch (e) { return {}; }
  })();
  function t(key, fallback) { return T[key] || fallback; }

  function toBytes(b64) {
    var s = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out.buffer;
  }
  function toB64(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function known() {
    try { return JSON.parse(localStorage.getItem(STORE) || "[]"); } catch (e) { return []; }
  }
  function remember(id) {
    var ids = known().filter(function (x) { return x !== id; });
    ids.unshift(id);
    try { localStorage.setItem(STORE, JSON.stringify(ids.slice(0, 10))); } catch (e) { /* private mode */ }
  }
  function post(url, fields) {
    var body = new FormData();
    Object.keys(fields).forEach(function (k) { body.append(k, fields[k]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" }).then(function (res) {
      if (res.redirected) { window.location.href = res.url; return new Promise(function () {}); }
      if (res.status === 429) throw new Error(t("passkey_too_many", "Too many attempts. Please wait a minute and try again."));
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok || !Object.keys(data).length) throw new Error(data.error || t("passkey_failed", "Something went wrong. Please try again."));
        return data;
      });
    });
  }
  function prfOutput(cred) {
    var ext = cred.getClientExtensionResults ? cred.getClientExtensionResults() : {};
    return ext.prf && ext.prf.results && ext.prf.results.first ? toB64(ext.prf.results.first) : "";
  }
  function prfEnabled(cred) {
    var ext = cred.getClientExtensionResults ? cred.getClientExtensionResults() : {};
    return !!(ext.prf && ext.prf.enabled);
  }
  function showError(box, err) {
    box.textContent = err && err.name === "NotAllowedError"
      ? t("passkey_cancelled", "The passkey request was cancelled or timed out.") : (err && err.message) || String(err);
    box.hidden = false;
  }

  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    if (o.extensions && o.extensions.prf) o.extensions.prf.eval.first = toBytes(o.extensions.prf.eval.first);
    return o;
  }
  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    var byCred = o.extensions && o.extensions.prf && o.extensions.prf.evalByCredential;
    Object.keys(byCred || {}).forEach(function (k) { byCred[k].first = toBytes(byCred[k].first); });
    return o;
  }
  // The credential as JSON for the server, without extension results (the PRF output travels
  // in its own field, so it never ends up in a blob the server might keep or log).
  function credentialJSON(cred) {
    var r = cred.response, response = { clientDataJSON: toB64(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toB64(r.authenticatorData);
      response.signature = toB64(r.signature);
      if (r.userHandle) response.userHandle = toB64(r.userHandle);
    }
    return JSON.stringify({ id: cred.id, rawId: toB64(cred.rawId), type: cred.type, response: response,
      clientExtensionResults: {}, authenticatorAttachment: cred.authenticatorAttachment || undefined });
  }

  // Some authenticators only answer PRF when asked for an assertion: ask once, right after creating.
  function prfAfterCreate(cred, salt) {
    var byCred = {};
    byCred[cred.id] = { first: salt };
    return navigator.credentials.get({ publicKey: {
      challenge: crypto.getRandomValues(new Uint8Array(32)), allowCredentials: [{ type: "public-key", id: cred.rawId }],
      userVerification: "preferred", extensions: { prf: { evalByCredential: byCred } } } }).then(prfOutput);
  }

  function register(form) {
    var box = document.getElementById("passkey-error"), csrf = form.querySelector("[name=csrf_token]").value;
    var name = form.querySelector("[name=name]").value.trim();
    box.hidden = true;
    if (!name) { showError(box, new Error(t("passkey_name", "Please give the passkey a name."))); return; }
    var salt;
    post(form.dataset.options, { csrf_token: csrf }).then(function (o) {
      o = creationOptions(o);
      salt = o.extensions && o.extensions.prf ? o.extensions.prf.eval.first : null;
      return navigator.credentials.create({ publicKey: o });
    }).then(function (cred) {
      var out = prfOutput(cred);
      var next = out || !prfEnabled(cred) || !salt ? Promise.resolve(out) : prfAfterCreate(cred, salt);
      return next.then(function (prf) {
        return post(form.dataset.finish, { csrf_token: csrf, name: name, credential: credentialJSON(cred), prf: prf });
      });
    }).then(function (data) {
      remember(data.id);
      window.location.href = data.redirect;
    }).catch(function (err) { showError(box, err); });
  }

  function login(box, csrf, ids, retried) {
    var p = box.parentNode;
    return post(p.dataset.options, { csrf_token: csrf, known: ids.join(",") }).then(function (o) {
      return navigator.credentials.get({ publicKey: requestOptions(o) });
    }).then(function (cred) {
      return post(p.dataset.finish, { csrf_token: csrf, credential: credentialJSON(cred),
        prf: prfOutput(cred), retried: retried ? "1" : "",
        next: new URLSearchParams(window.location.search).get("next") || "" });
    }).then(function (data) {
      if (data.retry && !retried) { remember(data.retry); return login(box, csrf, [data.retry], true); }
      window.location.href = data.redirect;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.PublicKeyCredential) return;
    var addForm = document.getElementById("passkey-add");
    if (addForm) addForm.addEventListener("submit", function (e) { e.preventDefault(); register(addForm); });
    var box = document.getElementById("passkey-login");
    if (box) {
      box.hidden = false;
      var csrf = document.querySelector("input[name=csrf_token]").value;
      box.querySelector("button").addEventListener("click", function () {
        var err = document.getElementById("passkey-error");
        err.hidden = true;
        login(err, csrf, known(), false).catch(function (e) { showError(err, e); });
      });
    }
  });
})();

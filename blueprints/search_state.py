"""Search words and filter choices never appear in a URL.

The search form posts; the answer is a redirect to /entries?f=<opaque>, where the opaque value is
the filter state sealed under a key derived from the user key, bound to the user and to this login
session, and valid for a short time. Access logs, browser history and Referer headers then hold
only ciphertext that the server secret alone cannot open and that dies with the session. Links
that pre-select a filter (a tag, "marked for supervision") are built the same way."""
from __future__ import annotations

import json
import time

from flask import abort, g, redirect, url_for
from flask_login import current_user

from blueprints import guards
from blueprints.forms import EmptyForm
from domain.core import keyring

KEYS = ("q", "kind", "theme", "subtheme", "process", "supervision", "tag", "from", "to", "drafts")
LEGACY_KEYS = frozenset(KEYS) - {"drafts"}   # what old bookmarks carried in plain sight
TTL_SECONDS = 2 * 3600
MAX_LEN = 200


def _key() -> bytes:
    if "filter_state_key" not in g:   # derived once per request: a page may carry several such links
        g.filter_state_key = keyring.hkdf(guards.user_key(), "filter-state")
    return g.filter_state_key


def _aad() -> bytes:
    row = guards.session_row()
    return keyring.aad("filter-state", "user", current_user.id, "session", row.id if row else "")


def clean(values) -> dict[str, str]:
    """The known filter fields of a form or dict, as short strings; empty ones dropped."""
    out = {}
    for k in KEYS:
        v = values.get(k)
        if v:
            out[k] = str(v).strip()[:MAX_LEN]
    return out


def seal(values) -> str:
    payload = {"a": clean(values), "t": int(time.time())}
    return keyring.b64e(keyring.seal(_key(), json.dumps(payload).encode(), _aad()))


def open_state(token: str | None) -> dict[str, str] | None:
    """The filter values behind `token`, {} for no token, None when it is expired or not ours."""
    if not token:
        return {}
    if len(token) > 2000:
        return None
    try:
        payload = json.loads(keyring.open_blob(_key(), keyring.b64d(token), _aad()))
    except (keyring.CryptoError, ValueError):
        return None
    if not isinstance(payload, dict) or time.time() - payload.get("t", 0) > TTL_SECONDS:
        return None
    return clean(payload.get("a") or {})


def requested(args) -> tuple[dict[str, str], bool]:
    """The filter state a list URL asks for (its sealed state, plus the plain drafts switch), and
    whether the sealed state had expired (then it counts as no filter)."""
    state = open_state(args.get("f"))
    expired = state is None
    state = state or {}
    if args.get("drafts") == "1":
        state["drafts"] = "1"
    return state, expired


def entries_url(**values) -> str:
    """A link to the journal list with these filters pre-selected, without them in the URL."""
    state = clean(values)
    return url_for("journal.index", f=seal(state)) if state else url_for("journal.index")


def sealed_redirect(method: str, form, args):
    """The search form's POST, or an old bookmark with words in its URL: the redirect (303) to
    the sealed state of what was chosen and typed, so no word or choice ever sits in a URL.
    None for a plain list request."""
    if method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        return redirect(entries_url(**clean(form)), 303)
    if LEGACY_KEYS & set(args):   # an old bookmark: moved into a sealed state once
        return redirect(entries_url(**clean(args)), 303)
    return None

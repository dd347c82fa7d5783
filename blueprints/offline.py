"""Offline capture: the service worker, the offline page, the empty quick-capture forms it keeps,
and a fresh CSRF token for sending what was written offline.

Nothing here holds user content: the service worker precaches only static files and these
pages, which are rendered without the nav, the process list or a CSRF token (they are the same
for every account). Notes written offline are encrypted in the browser (static/offline-queue.js)
and sent later through the journal's own idempotent create, so this module never sees them."""
from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from blueprints import journal_forms as forms
from domain.catalogue import themes
from domain.catalogue.entry_kinds import KINDS

bp = Blueprint("offline", __name__)

WORKER = "offline-sw.js"         # the worker's code; served from the root so its scope is "/"
QUEUE = "offline-queue.js"       # shared by the worker and the pages (importScripts / <script>)


# What the service worker fetches in the background (it caches these, with the browser's cookie of
# that moment) never writes the session cookie. Sent with an older cookie while a page's own
# response sets a newer one, its reply would replace the newer cookie in the browser: the page's
# form token then belongs to no session and the next POST fails (seen right after signup: the
# recovery-code form answered 400). Nothing these requests change needs keeping; the next page
# makes the same change again.
BACKGROUND = frozenset({"static", "offline.worker", "offline.page", "offline.shell"})


@bp.after_app_request
def _never_write_the_session(response: Response) -> Response:
    if request.endpoint in BACKGROUND:
        session.modified = False
    return response


def _precache() -> list[str]:
    """Every static file under its fingerprinted URL, the offline page and the empty forms."""
    names = sorted(n for n in current_app.extensions["fokus_static"] if n != WORKER)
    return ([url_for("static", filename=n) for n in names] + [url_for("offline.page")]
            + [url_for("offline.shell", kind_id=k) for k in KINDS])


@bp.route("/sw.js")
def worker():
    assets = current_app.extensions["fokus_static"]
    precache = _precache()
    # The cache name changes with any file, the worker or the language of the cached pages, so a
    # changed worker installs, caches afresh and deletes the old cache.
    digest = hashlib.sha256(json.dumps([precache, assets[WORKER].digest, str(get_locale())]).encode())
    config = json.dumps({
        "cache": "fokus-" + digest.hexdigest()[:16], "precache": precache,
        "queue": url_for("static", filename=QUEUE), "offline": url_for("offline.page"),
        "shell": url_for("offline.shell", kind_id="KIND")})
    # Sent no-store like every page (headers.py): the browser checks for a new worker each visit.
    return Response(f"self.FOKUS = {config};\n".encode() + assets[WORKER].body, mimetype="text/javascript")


@bp.route("/offline")
def page():
    return render_template("offline.html", kinds=KINDS.values(), shell=True)


@bp.route("/offline/new/<kind_id>")
def shell(kind_id: str):
    """The quick-capture form with nothing in it; offline-queue.js gives it a fresh id on load."""
    if kind_id not in KINDS:
        abort(404)
    form = forms.entry_form(kind_id, data={"supervision": "no"})
    # Cached for weeks: a token would be stale and is no business of a cache ("" renders nothing).
    del form.csrf_token
    form.csrf_token = ""
    return render_template("journal/form.html", form=form, kind=KINDS[kind_id], entry=None,
                           themes=themes.THEMES, warnings={}, is_draft=False, conflict=None,
                           shell=True)


@bp.route("/offline/token")
def token():
    """A fresh CSRF token and the account's id, so the queue sends only this account's notes.
    A 401 (not a login redirect) when the session ended: the notes wait for the next login."""
    if not current_user.is_authenticated:
        return jsonify(ok=False), 401
    return jsonify(ok=True, csrf=generate_csrf(), user=current_user.id)

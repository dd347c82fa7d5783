"""Home and the journal list, rendered once per set of inputs: the same page again is sent as it
was rendered, from the session's journal cache (domain/journal/cache.py and state.py), while the
inputs that come from the database are read on every request and are part of the key
(docs/ARCHITECTURE.md, "Journal index and speed", "Rendered pages").

Rendering was most of a page's cost (~1.7 of ~2.5 ms); everything that decides what a page shows
is not: the journal's version (the state the page is kept with), the counts, dates and names the
view reads for it, the URL, the language, the time zone and the day. A page is rendered anew when
any of them changes, when a message is waiting to be shown, and after MAX_AGE seconds at most.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from flask import current_app, render_template, request, session

from blueprints import guards
from blueprints.i18n import current_language
from domain.core.db import utcnow
from domain.journal import cache as journal_cache
from domain.journal.state import State

MAX_AGE = 60.0   # seconds: a bound on whatever this key could still miss, never the rule


def render(state: State, template: str, inputs: tuple, context: Callable[[], dict]) -> str:
    """render_template(template, **context()), or the page rendered earlier in this session from
    the same `state` and the same `inputs` (everything the view read from the database that the
    page shows and `state` does not already pin: counts, dates, names, process codes). `context`
    is called only to render, so what only the template needs is not worked out for a kept page."""
    token = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token is None or "_flashes" in session:
        # No form token yet (rendering makes one), or a message to show once: render.
        return render_template(template, **context())
    key = (template, request.full_path, current_language(), session.get("tz"), utcnow().date(), token, inputs)
    now = time.monotonic()
    kept = state.rendered(key)
    if kept is not None and now - kept[1] < MAX_AGE:
        return kept[0]
    html = render_template(template, **context())
    journal_cache.keep_rendered(guards.session_row().id, state, key, (html, now))
    return html

"""Keeps a user's calendar feed current on their own writes, without the journal or sharing code
knowing about calendars: a listener on the ORM flush, for requests where the acting user's key is
open. It re-seals only the one changed reminder (domain.reminders.feed.source_changed), and does
nothing for users without a feed beyond one indexed look-up per transaction (feed.exists_for; no
entry is opened). Writes without a request (demo seed, CLI) are picked up by the next full refresh
on the calendar page."""
from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from domain.core import keyring
from domain.core.models import Entry, ThreadItem
from domain.journal.items import open_row
from domain.reminders import drops, sources
from domain.reminders import feed as feeds
from domain.sharing.items import open_item


def _acting() -> tuple[str, bytes] | None:
    if not has_request_context() or "user_key" not in g or not current_user.is_authenticated:
        return None
    return current_user.id, g.user_key


def _changes(session: Session, user_id: str, key: bytes):
    """(source, reminder or None, entry id of a reflection) for the acting user's entries and
    reflections in this flush. An entry is opened only when its owner has a feed to keep current."""
    for row in list(session.new) + list(session.dirty):
        if isinstance(row, Entry) and row.owner_id == user_id:
            if feeds.exists_for(user_id):
                yield f"entry:{row.id}", sources.of_entry(row.id, open_row(row, key)), None
        elif isinstance(row, ThreadItem) and row.kind == "reflection" and row.author_id == user_id:
            yield f"reflection:{row.id}", None if row.draft else _reflection(row, key), row.entry_id
    for row in session.deleted:
        if isinstance(row, Entry) and row.owner_id == user_id:
            yield f"entry:{row.id}", None, None


def _reflection(item: ThreadItem, key: bytes):
    try:
        entry_key = sources.reflection_key(item, current_user.user, key)
        return sources.of_reflection(item.id, open_item(item, entry_key)) if entry_key else None
    except (keyring.CryptoError, ValueError):
        return None


def _before_flush(session: Session, _context, _instances) -> None:
    acting = _acting()
    if acting is None:
        return
    user_id, key = acting
    with session.no_autoflush:
        changes = list(_changes(session, user_id, key))
        if changes and feeds.exists_for(user_id):
            for source, reminder, _entry in changes:
                feeds.source_changed(user_id, key, source, reminder)
        for source, reminder, entry_id in changes:
            if entry_id and reminder:   # a reflection on someone else's entry: into their drop box
                drops.give(entry_id, user_id, source, reminder, feeds.of_owner)


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)

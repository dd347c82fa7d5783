"""Crypto-shredding what has expired, with or without the owner's key.

Step 1 overwrites the wrapped content key of every expired entry and process and the readers'
wraps of its shares (threads are sealed under the entry key, so they go dark with it); the caller
commits. Step 2 deletes the rows: shares, threads, access events, the entry or process. Without
the owner's key two derived things cannot be found: the trend facts (tagged under a key derived
from the user key) and the entry's copy in the sealed journal index. So the mark stays behind
(`shredded_on`) and the owner's next login removes the facts; the index is declared stale and is
rebuilt, without the entry, on the owner's next page view."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select, update

from domain.core.db import db
from domain.core.models import AccessEvent, Entry, Process, RetentionMark, Share, ThreadItem, User


@dataclass(frozen=True)
class Due:
    table: str
    id: str
    owner_id: str
    created: date


def due(today: date, owner_id: str | None = None) -> list[Due]:
    found = []
    for table, model in (("entries", Entry), ("processes", Process)):
        q = select(model.id, model.owner_id, model.created_at).where(model.expires_on.is_not(None),
                                                                     model.expires_on <= today)
        if owner_id is not None:
            q = q.where(model.owner_id == owner_id)
        found += [Due(table, i, o, c.date()) for i, o, c in db.session.execute(q)]
    return found


def _noise(old: bytes | None) -> bytes:
    return secrets.token_bytes(len(old) if old else 93)


def overwrite(items: list[Due]) -> None:
    """Step 1: every key that opens the content is replaced by random bytes of the same length."""
    for d in items:
        row = db.session.get(Entry if d.table == "entries" else Process, d.id)
        row.wrapped_key = _noise(row.wrapped_key)
        if d.table == "entries":
            db.session.execute(update(Share).where(Share.entry_id == d.id).values(wrapped_key=None))
    db.session.flush()


def delete_rows(items: list[Due], today: date, facts_removed: bool) -> None:
    """Step 2. Facts not yet removed (no key): the mark remembers the object for the next login."""
    stale: set[str] = set()
    for d in items:
        if d.table == "entries":
            for model in (ThreadItem, AccessEvent, Share):
                db.session.execute(delete(model).where(model.entry_id == d.id))
            stale.add(d.owner_id)
        db.session.execute(delete(Entry if d.table == "entries" else Process).where(
            (Entry if d.table == "entries" else Process).id == d.id))
        _leave_mark(d, today, facts_removed)
    if not facts_removed:
        for owner_id in stale:   # the index still lists the entry: make the next view rebuild it
            db.session.execute(update(User).where(User.id == owner_id)
                               .values(journal_version=User.journal_version + 1))
    db.session.flush()


def _leave_mark(d: Due, today: date, facts_removed: bool) -> None:
    mark = db.session.get(RetentionMark, d.id)
    if facts_removed:
        if mark is not None:
            db.session.delete(mark)
        return
    if mark is None:
        mark = RetentionMark(object_id=d.id, owner_id=d.owner_id, table=d.table, extended=False)
        db.session.add(mark)
    mark.until, mark.reason_sealed, mark.shredded_on = None, None, today


def pending_facts(owner_id: str) -> list[RetentionMark]:
    return list(db.session.scalars(select(RetentionMark).where(RetentionMark.owner_id == owner_id,
                                                               RetentionMark.shredded_on.is_not(None))))

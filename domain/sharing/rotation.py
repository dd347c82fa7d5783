"""Entry key rotation after a reader loses access.

Everything sealed under the old entry key (the entry, its questions, reflections and replies) is
re-sealed under a fresh key with the next key version, and the new key is wrapped again for the
owner and for every reader who still has access. Nothing is committed here: the caller commits
once, so an error half-way leaves the old, fully readable state in the database.

Rotation holds the entry (access.hold: FOR UPDATE on PostgreSQL; SQLite write requests hold the
database) and reads every row it re-seals after taking the hold, so a reply or reflection written
by another worker is either fully before it (and re-sealed) or fully after it (and sealed under
the new key); never sealed under a key that no longer exists.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, exists, or_, select

from domain.core import keyring, sealed
from domain.core.db import db, utcnow
from domain.core.models import ContactLink, Entry, Share, ThreadItem
from domain.journal import entries as journal
from domain.sharing import items
from domain.sharing.access import hold

# Asked after every write request of the owner (blueprints/sharing._sweep), and almost always
# answered "no": one statement, built once (docs/ARCHITECTURE.md, "Journal index and speed").
_DUE = select(or_(
    exists().where(Share.owner_id == bindparam("owner"), Share.wrapped_key.is_not(None),
                   Share.expires_at.is_not(None), Share.expires_at <= bindparam("now")),
    exists().where(Entry.owner_id == bindparam("owner"), Entry.needs_rotation.is_(True))))


def due(owner_id: str, now: datetime | None = None) -> bool:
    """Whether the sweep (shares.sweep) has anything to rotate for this owner: a share that expired
    with its wrap still in place, or an entry marked for rotation (a contact removed by the other)."""
    return bool(db.session.scalar(_DUE, {"owner": owner_id, "now": now or utcnow()}))


def _fresh(stmt):
    return db.session.scalars(stmt.execution_options(populate_existing=True))


def rotate(entry: Entry, owner_key: bytes) -> None:
    entry = hold(entry.id) or entry
    old_key = sealed.content_key(entry, journal.TABLE, owner_key)
    data = sealed.read(entry, journal.TABLE, old_key)
    thread_items = list(_fresh(select(ThreadItem).where(ThreadItem.entry_id == entry.id)))
    contents = [(it, items.open_item(it, old_key)) for it in thread_items]
    shares = list(_fresh(select(Share).where(Share.entry_id == entry.id)))
    questions = [(s, items.question_plain(s, old_key)) for s in shares]
    updated_at = entry.updated_at

    new_key = keyring.random_key()
    entry.key_version += 1
    kv = entry.key_version
    entry.wrapped_key = keyring.wrap_for(owner_key, "content-key", new_key,
                                         sealed.wrap_aad(journal.TABLE, entry.id, entry.owner_id, kv))
    sealed.write(entry, journal.TABLE, new_key, data, new_key=True)
    entry.updated_at = updated_at  # a rotation is not an edit: readers must not see "edited"
    for it, content in contents:
        it.key_version = kv
        stamp = it.updated_at
        items.seal_item(it, new_key, content)
        it.updated_at = stamp
    _rewrap(entry, shares, questions, new_key, kv)
    entry.needs_rotation = False


def _rewrap(entry: Entry, shares: list[Share], questions: list, new_key: bytes, kv: int) -> None:
    now = utcnow()
    for s, plain in questions:  # the note's bytes as they were: question, urgency, mandate
        s.key_version = kv
        s.question = keyring.seal(new_key, plain, items.question_aad(s, kv)) if plain or s.question else None
        if s.revoked_at is None and s.wrapped_key is not None and (s.expires_at is None or s.expires_at > now):
            link = db.session.scalar(select(ContactLink).where(ContactLink.holder_id == entry.owner_id,
                                                               ContactLink.other_id == s.reader_id))
            if link is None:
                s.revoked_at, s.wrapped_key = now, None
                continue
            s.wrapped_key = keyring.hpke_wrap(link.pinned_key, new_key, items.share_info(entry.id, s.reader_id, kv))
        else:
            s.wrapped_key = None

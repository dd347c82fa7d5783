"""What is shared, seen from each side: the owner's outbox, the reader's inbox in its three
sections, and the counts of what is new (per share, for the home page, for the navigation badge).
Everything here only reads."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select

from domain.core.db import core_read, db, utcnow
from domain.core.models import Entry, Share, ThreadItem, User
from domain.journal import entries as journal
from domain.journal import index as journal_index
from domain.sharing.access import decide_share, entry_key_for, read_entry
from domain.sharing.items import note


def outbox(owner_id: str) -> list[Share]:
    """Everything the owner shares, newest first."""
    return list(db.session.scalars(select(Share).where(Share.owner_id == owner_id)
                                   .order_by(Share.created_at.desc())))


def outbox_items(owner: User, user_key: bytes, session_id: str | None) -> dict[str, journal.Item]:
    """The owner's entries that open, by id, for the outbox's kind and headline: read from the
    sealed journal index, so no entry is decrypted."""
    index = journal_index.view(owner, user_key, session_id)
    return {i.id: i for i in index.items() if not i.broken}


def inbox(reader_id: str) -> list[Share]:
    return list(db.session.scalars(select(Share).where(Share.reader_id == reader_id)
                                   .order_by(Share.created_at.desc())))


def inbox_sections(reader: User, user_key: bytes) -> dict[str, list]:
    """The reader's inbox as (share, item, unseen count, urgent): waiting for my reflection,
    answered, and closed (revoked or expired, shown without the entry). Urgent shares come first
    in each section; urgency is read from each share's sealed note here, so the server never sorts
    by it (items.py)."""
    sections: dict[str, list] = {"waiting": [], "answered": [], "closed": []}
    for s in inbox(reader.id):
        decision = decide_share(reader.id, s.id)
        if decision.role != "reader":
            sections["closed"].append((s, None, 0, False))
            continue
        key = entry_key_for(decision, reader, user_key)
        item = journal.Item(decision.entry, read_entry(decision, key))
        row = (s, item, unseen_count(s, reader.id), note(s, key)["urgent"])
        sections["answered" if s.reflected_at else "waiting"].append(row)
    for rows in sections.values():
        rows.sort(key=lambda r: not r[3])  # stable: newest first within urgent and within the rest
    return sections


def unseen_count(share_row: Share, viewer_id: str) -> int:
    """Thread items from the other side newer than the viewer's last look, plus 1 for an edited entry."""
    seen = share_row.owner_seen_at if viewer_id == share_row.owner_id else share_row.reader_seen_at
    q = select(ThreadItem).where(ThreadItem.share_id == share_row.id, ThreadItem.author_id != viewer_id,
                                 ThreadItem.draft.is_(False))
    n = sum(1 for it in db.session.scalars(q) if seen is None or it.updated_at > seen)
    if viewer_id == share_row.reader_id and share_row.reader_seen_at is not None:
        entry = db.session.get(Entry, share_row.entry_id)
        n += int(entry is not None and entry.updated_at > share_row.reader_seen_at)
    return n


def unseen_counts(user_id: str, now: datetime | None = None) -> tuple[int, int, int, int]:
    """(new thread items in my active reader shares, new thread items in shares of my entries,
    entries edited since I last read them, shared entries waiting for my reflection), in one
    query whatever the number of shares."""
    counts = core_read(_unseen_statement(), {"user": user_id, "now": now or utcnow()}).one()
    return tuple(n or 0 for n in counts)


def unseen_summary(user_id: str, counts: tuple[int, int, int, int], now: datetime | None = None) -> dict:
    """Counts for the home page from `unseen_counts`: new in conversations I read (an edited entry
    counts as one) and in those I own, and the entries shared with me that wait for my reflection
    (with their ids, for home's urgent count; looked up only when there are any)."""
    as_reader, as_owner, edited, waiting = counts
    waiting_ids = list(core_read(_waiting_statement(), {"user": user_id, "now": now or utcnow()}).scalars()) \
        if waiting else []
    return {"reader": as_reader + edited, "owner": as_owner, "waiting": waiting, "waiting_ids": waiting_ids}


def _active(now):
    return (Share.revoked_at.is_(None), Share.wrapped_key.is_not(None),
            or_(Share.expires_at.is_(None), Share.expires_at > now))


@functools.cache
def _waiting_statement():
    return (select(Share.id).where(Share.reader_id == bindparam("user"), *_active(bindparam("now")),
                                   Share.reflected_at.is_(None)).order_by(Share.created_at.desc()))


@functools.cache
def _unseen_statement():
    """Built once: the badge is on every page, and building this statement cost more than running it."""
    user_id = bindparam("user")
    active = _active(bindparam("now"))
    items = (select(func.count()).select_from(ThreadItem).join(Share, ThreadItem.share_id == Share.id)
             .where(ThreadItem.author_id != user_id, ThreadItem.draft.is_(False)))
    as_reader = items.where(Share.reader_id == user_id, *active, or_(
        Share.reader_seen_at.is_(None), ThreadItem.updated_at > Share.reader_seen_at))
    as_owner = items.where(Share.owner_id == user_id, Share.revoked_at.is_(None),
                           ThreadItem.updated_at > Share.owner_seen_at)
    edited = (select(func.count()).select_from(Share).join(Entry, Share.entry_id == Entry.id)
              .where(Share.reader_id == user_id, *active, Share.reader_seen_at.is_not(None),
                     Entry.updated_at > Share.reader_seen_at))
    waiting = select(func.count()).select_from(Share).where(Share.reader_id == user_id, *active,
                                                            Share.reflected_at.is_(None))
    # One round trip: the badge is on every page, and each statement has a fixed cost.
    return select(*(q.scalar_subquery() for q in (as_reader, as_owner, edited, waiting)))

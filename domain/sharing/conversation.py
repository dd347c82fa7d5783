"""The conversation on a share: the thread as each side sees it, the reader's structured
reflection (draft, then submitted once), replies, and "seen" marks.

Questions, reflections and replies are sealed under the entry key (items.py), so owner and reader
read the same thread. Writers hold the entry first (access.hold) and seal only under its current
key, so a rotation running at the same moment cannot leave an item under a key that is gone."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from domain.core.db import db, new_id, utcnow
from domain.core.models import Share, ThreadItem, User
from domain.core.refusal import N_, Refusal
from domain.sharing.access import Decision, hold, is_active, log_access, refresh
from domain.sharing.items import check_current, open_item, seal_item

REPLY_MAX = 4000
# "What you did well" opens the reflection, before the four theme sections and the next step.
REFLECTION_SECTIONS = ("did_well", "context", "alliance", "positive", "feelings", "next_step")
SECTION_MAX = 4000


@dataclass
class Message:
    item: ThreadItem
    content: dict
    mine: bool
    new: bool = False
    extra: dict = field(default_factory=dict)


def thread(share_row: Share, key: bytes, viewer_id: str, seen_at: datetime | None) -> list[Message]:
    """The share's thread for the viewer: submitted items, plus the viewer's own draft reflection."""
    items = db.session.scalars(select(ThreadItem).where(ThreadItem.share_id == share_row.id)
                               .order_by(ThreadItem.created_at))
    out = []
    for it in items:
        if it.draft and it.author_id != viewer_id:
            continue
        out.append(Message(it, open_item(it, key), it.author_id == viewer_id,
                           new=it.author_id != viewer_id and (seen_at is None or it.updated_at > seen_at)))
    return out


def last_seen(decision: Decision) -> datetime | None:
    """When this side of the share last looked at the thread."""
    share = decision.share
    return share.reader_seen_at if decision.role == "reader" else share.owner_seen_at


def edited_since_seen(decision: Decision) -> bool:
    """The reader has looked before, and the owner has edited the entry since."""
    share = decision.share
    return decision.role == "reader" and share.reader_seen_at is not None \
        and decision.entry.updated_at > share.reader_seen_at


def mark_seen(decision: Decision, viewer_id: str) -> None:
    """The thread was shown: clear the "new" marks; a reader's look goes to the access log."""
    if decision.role == "reader":
        log_access(decision.entry.id, viewer_id, "opened")
        decision.share.reader_seen_at = utcnow()
    else:
        decision.share.owner_seen_at = utcnow()


def save_reflection(share_row: Share, reader: User, key: bytes, sections: dict, submit: bool) -> ThreadItem:
    """Save the reader's structured reflection as a draft, or submit it (once). Runs inside the
    entry's hold; `key` must be the entry's current key (else 409, try again)."""
    entry = hold(share_row.entry_id)
    share_row = refresh(Share, share_row.id)
    if entry is None or share_row is None or not is_active(share_row):
        raise Refusal(N_("This entry is no longer shared with you."), 410)
    if any(len(sections.get(s) or "") > SECTION_MAX for s in REFLECTION_SECTIONS):
        raise Refusal(N_("Each section can be at most %(max)d characters."), max=SECTION_MAX)
    if share_row.reflected_at is not None:  # already submitted: a repeated submit changes nothing
        return _reflections(share_row.id, reader.id, draft=False)[-1]
    # One draft at a time; a new question on an answered share (shares.share) asks for a new one.
    drafts = _reflections(share_row.id, reader.id, draft=True)
    item = drafts[0] if drafts else None
    check_current(entry, key)
    if item is None:
        item = ThreadItem(id=new_id(), share_id=share_row.id, entry_id=share_row.entry_id, author_id=reader.id,
                          kind="reflection", draft=True, key_version=entry.key_version)
        db.session.add(item)
    seal_item(item, key, {s: (sections.get(s) or "").strip() for s in (*REFLECTION_SECTIONS, "follow_up")})
    if submit:
        item.draft = False
        item.created_at = item.updated_at = utcnow()
        share_row.reflected_at = item.created_at
    return item


def _reflections(share_id: str, author_id: str, draft: bool) -> list[ThreadItem]:
    return list(db.session.scalars(select(ThreadItem).where(
        ThreadItem.share_id == share_id, ThreadItem.kind == "reflection", ThreadItem.author_id == author_id,
        ThreadItem.draft.is_(draft)).order_by(ThreadItem.created_at).execution_options(populate_existing=True)))


def has_reflection(share_row: Share) -> bool:
    """A reflection was submitted on this share (the current question may still wait for another)."""
    return share_row.reflected_at is not None or bool(_reflections(share_row.id, share_row.reader_id, draft=False))


def _reply_text(share_row: Share | None, entry, text: str) -> str:
    """The reply as it will be stored, or the refusal that says why it cannot be."""
    if entry is None or share_row is None or not is_active(share_row):
        raise Refusal(N_("This conversation has ended: the entry is no longer shared."), 409)
    if not has_reflection(share_row):
        raise Refusal(N_("Replies open once the reflection is submitted."), 409)
    text = text.strip()
    if not text:
        raise Refusal(N_("Write something first."))
    if len(text) > REPLY_MAX:
        raise Refusal(N_("At most %(max)d characters."), max=REPLY_MAX)
    return text


def add_reply(share_row: Share, author: User, key: bytes, text: str, reply_id: str) -> ThreadItem:
    """A reply in the thread, once a reflection exists. `reply_id` comes from the form, so a double
    submit stores one reply. Runs inside the entry's hold; `key` must be the entry's current key."""
    entry = hold(share_row.entry_id)
    share_row = refresh(Share, share_row.id)
    text = _reply_text(share_row, entry, text)
    # Only an id shaped like ours is kept: anything else (short, long, non-hex) would reach the
    # primary key as is, and a replayed short id would then collide (500) instead of deduplicating.
    if not (reply_id and len(reply_id) == 32 and all(ch in "0123456789abcdef" for ch in reply_id)):
        reply_id = new_id()
    existing = refresh(ThreadItem, reply_id)
    if existing is not None:
        if existing.share_id == share_row.id and existing.author_id == author.id:
            return existing
        reply_id = new_id()
    check_current(entry, key)
    item = ThreadItem(id=reply_id, share_id=share_row.id, entry_id=share_row.entry_id,
                      author_id=author.id, kind="reply", key_version=entry.key_version)
    seal_item(item, key, {"text": text})
    db.session.add(item)
    return item

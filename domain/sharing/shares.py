"""Shares, reflections, replies, revocation, and the one access decision every route asks.

Crypto shape (docs/ARCHITECTURE.md): a share holds the entry key wrapped to the reader's pinned public key with
HPKE (info bound to entry, reader and key version). Questions, reflections and replies are sealed
under the entry key, so owner and reader read the same thread. Revoking deletes the wrap and
rotates the entry key (rotation.py), so an old wrap opens nothing that is stored afterwards.
"""
from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from domain.accounts import account as accounts
from domain.core import keyring, sealed
from domain.core.db import db, for_update, new_id, utcnow
from domain.core.models import AccessEvent, ContactLink, Entry, Share, ThreadItem, User
from domain.journal import entries as journal

QUESTION_MAX = 1000
REPLY_MAX = 4000
REFLECTION_SECTIONS = ("context", "alliance", "positive", "feelings", "next_step")
SECTION_MAX = 4000


class Access(enum.Enum):
    VIEW = "view"
    REFLECT = "reflect"
    REPLY = "reply"
    MANAGE = "manage"


_ALLOWED = {
    "owner": {Access.VIEW, Access.REPLY, Access.MANAGE},
    "reader": {Access.VIEW, Access.REFLECT, Access.REPLY},
}


class ShareError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass
class Decision:
    """Who the user is for an entry or share: owner, reader, revoked, expired or none."""
    role: str
    entry: Entry | None = None
    share: Share | None = None

    def allows(self, action: Access) -> bool:
        return action in _ALLOWED.get(self.role, set())

    @property
    def gone(self) -> bool:
        """A former reader: they get a plain "no longer shared with you" page (410)."""
        return self.role in ("revoked", "expired")


def _active(share: Share, now: datetime) -> bool:
    return share.revoked_at is None and share.wrapped_key is not None and (
        share.expires_at is None or share.expires_at > now)


def is_active(share: Share, now: datetime | None = None) -> bool:
    """The reader can still open it: not revoked, wrap present, not expired."""
    return _active(share, now or utcnow())


def _reader_decision(share: Share, entry: Entry, now: datetime) -> Decision:
    if _active(share, now):
        return Decision("reader", entry, share)
    return Decision("revoked" if share.revoked_at is not None else "expired", entry, share)


def _plausible_id(candidate: str | None) -> bool:
    """Ids are short ASCII letters and digits; anything else (a NUL byte from the URL, which
    PostgreSQL refuses with an error) is simply not found."""
    return bool(candidate) and len(candidate) <= 64 and candidate.isascii() and candidate.isalnum()


def decide_share(user_id: str, share_id: str, now: datetime | None = None) -> Decision:
    """The access decision for one share (thread pages): owner of the entry, its reader, or none."""
    now = now or utcnow()
    share = db.session.get(Share, share_id) if _plausible_id(share_id) else None
    if share is None:
        return Decision("none")
    entry = db.session.get(Entry, share.entry_id)
    if entry is not None and entry.owner_id == user_id:
        return Decision("owner", entry, share)
    if entry is not None and share.reader_id == user_id:
        return _reader_decision(share, entry, now)
    return Decision("none")


def decide_entry(user_id: str, entry_id: str, now: datetime | None = None) -> Decision:
    """The access decision for an entry: owner, or the reader of its newest share to this user."""
    now = now or utcnow()
    entry = db.session.get(Entry, entry_id) if _plausible_id(entry_id) else None
    if entry is None:
        return Decision("none")
    if entry.owner_id == user_id:
        return Decision("owner", entry)
    shares = list(db.session.scalars(select(Share).where(Share.entry_id == entry_id, Share.reader_id == user_id)
                                     .order_by(Share.created_at.desc())))
    active = [s for s in shares if _active(s, now)]
    if active:
        return Decision("reader", entry, active[0])
    return _reader_decision(shares[0], entry, now) if shares else Decision("none")


def can(user_id: str, action: Access, entry_id: str) -> bool:
    return decide_entry(user_id, entry_id).allows(action)


# --- holding an entry ----------------------------------------------------------------------------
# Every writer of an entry's key, shares or thread (share, revoke, rotation, reflection, reply,
# contact removal) first holds the entry for the rest of its transaction and only then reads the
# key: PostgreSQL locks the row (SELECT ... FOR UPDATE), SQLite write requests already hold the
# database (BEGIN IMMEDIATE). Rows are re-read after the hold (populate_existing), so a key or
# share changed by another worker a moment ago is seen, never overwritten with a stale copy.

def hold(entry_id: str) -> Entry | None:
    """Lock the entry until commit and load its newest state."""
    return db.session.scalar(for_update(select(Entry).where(Entry.id == entry_id))
                             .execution_options(populate_existing=True))


def _refresh(model, obj_id: str):
    return db.session.scalar(select(model).where(model.id == obj_id).execution_options(populate_existing=True))


def decide_share_held(user_id: str, share_id: str) -> Decision:
    """decide_share for a writer: the entry held and the share re-read inside the hold."""
    share = db.session.get(Share, share_id) if _plausible_id(share_id) else None
    if share is None or hold(share.entry_id) is None or _refresh(Share, share_id) is None:
        return Decision("none")
    return decide_share(user_id, share_id)


def _check_current(entry: Entry, key: bytes) -> None:
    """Refuse to seal under a key that is not the entry's current one (read before a rotation)."""
    if not keyring.commits_to(key, entry.content, sealed.content_aad(journal.TABLE, entry.id, entry.owner_id,
                                                                      entry.key_version)):
        raise ShareError("The sharing of this entry changed a moment ago. Please try again.", 409)


# --- keys ----------------------------------------------------------------------------------------

def share_info(entry_id: str, reader_id: str, kv: int) -> bytes:
    return keyring.aad("share", entry_id, reader_id, "kv", kv)


def entry_key_for(decision: Decision, user: User, user_key: bytes) -> bytes:
    """The entry key as this user may hold it: unwrapped from their user key (owner) or from the
    share's HPKE wrap with their private key (reader)."""
    entry = decision.entry
    if decision.role == "owner":
        return sealed.content_key(entry, journal.TABLE, user_key)
    if decision.role == "reader":
        share = decision.share
        return keyring.hpke_unwrap(accounts.private_key(user, user_key), share.wrapped_key,
                                   share_info(entry.id, user.id, share.key_version))
    raise ShareError("No access.", 404)


def read_entry(decision: Decision, key: bytes) -> dict:
    return sealed.read(decision.entry, journal.TABLE, key)


def question_aad(share: Share, kv: int) -> bytes:
    return keyring.aad("question", share.id, "entry", share.entry_id, "kv", kv)


def question(share: Share, key: bytes) -> str:
    if not share.question:
        return ""
    return keyring.open_blob(key, share.question, question_aad(share, share.key_version)).decode()


# --- sharing -------------------------------------------------------------------------------------

def _reader_link(owner_id: str, reader_id: str) -> ContactLink:
    link = db.session.scalar(select(ContactLink).where(ContactLink.holder_id == owner_id,
                                                       ContactLink.other_id == reader_id))
    if link is None:
        raise ShareError("You can only share with your contacts.", 403)
    reader = db.session.get(User, reader_id)
    if reader is None or reader.public_key != link.pinned_key:
        raise ShareError("This contact's key has changed. Compare the fingerprint with them and confirm "
                         "it on their contact page before sharing.", 409)
    return link


def share(owner: User, owner_key: bytes, entry_ids: list[str], reader_ids: list[str], question_text: str,
          expires_at: datetime | None, now: datetime | None = None) -> list[Share]:
    """Share each entry with each reader. An entry already actively shared with a reader is not
    shared twice (a double submit is harmless); its question is updated if a new one is given."""
    now = now or utcnow()
    if not entry_ids or not reader_ids:
        raise ShareError("Choose at least one entry and one contact.")
    if len(question_text) > QUESTION_MAX:
        raise ShareError(f"The question can be at most {QUESTION_MAX} characters.")
    if expires_at is not None and expires_at <= now:
        raise ShareError("The end date must be in the future.")
    links = [_reader_link(owner.id, rid) for rid in dict.fromkeys(reader_ids)]
    out = []
    for entry_id in sorted(dict.fromkeys(entry_ids)):  # one lock order, so two bundles cannot deadlock
        entry = hold(entry_id) if journal.get_owned(owner.id, entry_id) is not None else None
        if entry is None:
            raise ShareError("You can only share your own entries.", 404)
        key = sealed.content_key(entry, journal.TABLE, owner_key)
        if sealed.read(entry, journal.TABLE, key).get("status") == "draft":
            raise ShareError("This entry is still a draft. Save it before you share it.")
        for link in links:
            row = next((s for s in db.session.scalars(select(Share).where(
                Share.entry_id == entry.id, Share.reader_id == link.other_id)
                .execution_options(populate_existing=True)) if _active(s, now)), None)
            if row is None:
                row = Share(id=new_id(), entry_id=entry.id, owner_id=owner.id, reader_id=link.other_id,
                            key_version=entry.key_version, created_at=now, owner_seen_at=now,
                            wrapped_key=keyring.hpke_wrap(link.pinned_key, key,
                                                          share_info(entry.id, link.other_id, entry.key_version)))
                db.session.add(row)
            if question_text or row.question is None:
                row.question = keyring.seal(key, question_text.encode(), question_aad(row, row.key_version))
            row.expires_at = expires_at
            out.append(row)
    return out


def shares_of_entry(entry_id: str) -> list[Share]:
    return list(db.session.scalars(select(Share).where(Share.entry_id == entry_id)
                                   .order_by(Share.created_at.desc())))


def revoke(owner: User, owner_key: bytes, share_row: Share, now: datetime | None = None) -> None:
    """End one reader's access: delete the wrap, then rotate the entry key for everyone left."""
    from domain.sharing import rotation
    entry = hold(share_row.entry_id)
    if entry is None:
        return  # deleted by another request a moment ago: its shares went with it
    if entry.owner_id != owner.id:
        raise ShareError("No access.", 404)
    share_row = _refresh(Share, share_row.id)
    if share_row is None or (share_row.revoked_at is not None and share_row.wrapped_key is None
                             and not entry.needs_rotation):
        return  # already revoked by another request: nothing left to do
    share_row.revoked_at = share_row.revoked_at or (now or utcnow())
    share_row.wrapped_key = None
    rotation.rotate(entry, owner_key)


def end_between(actor: User, actor_key: bytes, other_id: str) -> None:
    """A contact was removed: every share between the two ends. The actor's own entries are
    rotated now; the other person's entries are rotated on their next visit (their key is not here)."""
    now = utcnow()
    mine = list(db.session.scalars(select(Share).where(Share.owner_id == actor.id, Share.reader_id == other_id)))
    for row in sorted(mine, key=lambda r: r.entry_id):
        if row.revoked_at is None:
            revoke(actor, actor_key, row, now)
    theirs = list(db.session.scalars(select(Share).where(Share.owner_id == other_id, Share.reader_id == actor.id)))
    for row in sorted(theirs, key=lambda r: r.entry_id):
        entry = hold(row.entry_id)
        row = _refresh(Share, row.id)
        if entry is not None and row is not None and row.revoked_at is None:
            row.revoked_at, row.wrapped_key = now, None
            entry.needs_rotation = True


def sweep(owner: User, owner_key: bytes, now: datetime | None = None) -> int:
    """Rotate entries whose readers lost access while the owner was away (expiry, removal)."""
    from domain.sharing import rotation
    now = now or utcnow()
    expired = db.session.scalars(select(Share).where(
        Share.owner_id == owner.id, Share.wrapped_key.is_not(None), Share.expires_at.is_not(None),
        Share.expires_at <= now))
    to_rotate = {row.entry_id for row in expired}
    for row in db.session.scalars(select(Share).where(Share.owner_id == owner.id, Share.entry_id.in_(to_rotate))):
        if row.expires_at is not None and row.expires_at <= now:
            row.wrapped_key = None
    to_rotate |= set(db.session.scalars(select(Entry.id).where(Entry.owner_id == owner.id,
                                                               Entry.needs_rotation.is_(True))))
    for entry_id in sorted(to_rotate):
        entry = hold(entry_id)
        if entry is not None:
            rotation.rotate(entry, owner_key)
    return len(to_rotate)


# --- thread --------------------------------------------------------------------------------------

def _item_aad(item: ThreadItem, kv: int) -> bytes:
    return keyring.aad("thread", item.id, "entry", item.entry_id, "share", item.share_id, "kv", kv)


def seal_item(item: ThreadItem, key: bytes, content: dict) -> None:
    item.content = keyring.seal(key, json.dumps(content).encode(), _item_aad(item, item.key_version))
    item.updated_at = utcnow()


def open_item(item: ThreadItem, key: bytes) -> dict:
    return json.loads(keyring.open_blob(key, item.content, _item_aad(item, item.key_version)))


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


def save_reflection(share_row: Share, reader: User, key: bytes, sections: dict, submit: bool) -> ThreadItem:
    """Save the reader's structured reflection as a draft, or submit it (once). Runs inside the
    entry's hold; `key` must be the entry's current key (else 409, try again)."""
    entry = hold(share_row.entry_id)
    share_row = _refresh(Share, share_row.id)
    if entry is None or share_row is None or not _active(share_row, utcnow()):
        raise ShareError("This entry is no longer shared with you.", 410)
    if any(len(sections.get(s) or "") > SECTION_MAX for s in REFLECTION_SECTIONS):
        raise ShareError(f"Each section can be at most {SECTION_MAX} characters.")
    item = db.session.scalar(select(ThreadItem).where(ThreadItem.share_id == share_row.id,
                                                      ThreadItem.kind == "reflection",
                                                      ThreadItem.author_id == reader.id)
                             .execution_options(populate_existing=True))
    if item is not None and not item.draft:
        return item  # already submitted: a repeated submit changes nothing
    _check_current(entry, key)
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


def add_reply(share_row: Share, author: User, key: bytes, text: str, reply_id: str) -> ThreadItem:
    """A reply in the thread, once a reflection exists. `reply_id` comes from the form, so a double
    submit stores one reply. Runs inside the entry's hold; `key` must be the entry's current key."""
    entry = hold(share_row.entry_id)
    share_row = _refresh(Share, share_row.id)
    if entry is None or share_row is None or not _active(share_row, utcnow()):
        raise ShareError("This conversation has ended: the entry is no longer shared.", 409)
    if share_row.reflected_at is None:
        raise ShareError("Replies open once the reflection is submitted.", 409)
    text = text.strip()
    if not text:
        raise ShareError("Write something first.")
    if len(text) > REPLY_MAX:
        raise ShareError(f"At most {REPLY_MAX} characters.")
    # Only an id shaped like ours is kept: anything else (short, long, non-hex) would reach the
    # primary key as is, and a replayed short id would then collide (500) instead of deduplicating.
    if not (reply_id and len(reply_id) == 32 and all(ch in "0123456789abcdef" for ch in reply_id)):
        reply_id = new_id()
    existing = _refresh(ThreadItem, reply_id)
    if existing is not None:
        if existing.share_id == share_row.id and existing.author_id == author.id:
            return existing
        reply_id = new_id()
    _check_current(entry, key)
    item = ThreadItem(id=reply_id, share_id=share_row.id, entry_id=share_row.entry_id,
                      author_id=author.id, kind="reply", key_version=entry.key_version)
    seal_item(item, key, {"text": text})
    db.session.add(item)
    return item


def log_access(entry_id: str, actor_id: str, action: str) -> None:
    db.session.add(AccessEvent(entry_id=entry_id, actor_id=actor_id, action=action))


def access_log(entry_id: str) -> list[AccessEvent]:
    return list(db.session.scalars(select(AccessEvent).where(AccessEvent.entry_id == entry_id)
                                   .order_by(AccessEvent.at.desc()).limit(200)))


def inbox(reader_id: str) -> list[Share]:
    return list(db.session.scalars(select(Share).where(Share.reader_id == reader_id)
                                   .order_by(Share.created_at.desc())))


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


def unseen_summary(user_id: str, now: datetime | None = None) -> dict[str, int]:
    """Counts for the home page: new items in conversations I read and in those I own, and
    entries shared with me that wait for my reflection."""
    now = now or utcnow()
    as_reader = [s for s in inbox(user_id) if _active(s, now)]
    as_owner = list(db.session.scalars(select(Share).where(Share.owner_id == user_id, Share.revoked_at.is_(None))))
    return {"reader": sum(unseen_count(s, user_id) for s in as_reader),
            "owner": sum(unseen_count(s, user_id) for s in as_owner),
            "waiting": sum(1 for s in as_reader if s.reflected_at is None)}


def unseen_total(user_id: str, now: datetime | None = None) -> int:
    """What the navigation badge counts, in three queries whatever the number of shares: new
    thread items in my active reader shares and in shares of my entries, plus entries edited
    since I last read them."""
    now = now or utcnow()
    active = (Share.revoked_at.is_(None), Share.wrapped_key.is_not(None),
              or_(Share.expires_at.is_(None), Share.expires_at > now))
    items = (select(func.count()).select_from(ThreadItem).join(Share, ThreadItem.share_id == Share.id)
             .where(ThreadItem.author_id != user_id, ThreadItem.draft.is_(False)))
    as_reader = db.session.scalar(items.where(Share.reader_id == user_id, *active, or_(
        Share.reader_seen_at.is_(None), ThreadItem.updated_at > Share.reader_seen_at)))
    as_owner = db.session.scalar(items.where(Share.owner_id == user_id, Share.revoked_at.is_(None),
                                             ThreadItem.updated_at > Share.owner_seen_at))
    edited = db.session.scalar(select(func.count()).select_from(Share).join(Entry, Share.entry_id == Entry.id)
                               .where(Share.reader_id == user_id, *active, Share.reader_seen_at.is_not(None),
                                      Entry.updated_at > Share.reader_seen_at))
    return (as_reader or 0) + (as_owner or 0) + (edited or 0)

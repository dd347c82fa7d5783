"""Shares: sharing entries with contacts, ending a share (revocation, contact removal), and the
sweep that rotates keys for readers who lost access while the owner was away.

This module is also the sharing feature's one way in: callers import it and find the rest here.
The feature is split by what it does:
  shares.py        share, revoke, end_between, sweep, the warnings shown before sharing
  access.py        the access decision (owner, reader, revoked, expired, none), holding an entry,
                   the entry key as a user may hold it, the access log
  conversation.py  the thread: reflections, replies, seen marks
  overview.py      outbox, inbox, counts of what is new
  items.py         what is sealed under the entry key besides the entry (questions, thread items)
  rotation.py      re-sealing everything under a fresh entry key after a reader loses access
Imports run one way: shares -> rotation, conversation, overview -> access -> items.

Crypto shape (docs/ARCHITECTURE.md): revoking deletes the reader's wrap and rotates the entry key
(rotation.py), so an old wrap opens nothing that is stored afterwards.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from domain.catalogue.entry_kinds import KINDS
from domain.core import keyring, sealed
from domain.core.db import db, new_id, utcnow
from domain.core.models import ContactLink, Entry, Share, User
from domain.core.refusal import N_, Refusal
from domain.journal import entries as journal
from domain.pii import detect as pii
from domain.sharing.access import (
    Access,
    Decision,
    access_log,
    can,
    decide_entry,
    decide_share,
    decide_share_held,
    entry_key_for,
    hold,
    is_active,
    log_access,
    read_entry,
    refresh,
)
from domain.sharing.conversation import (
    REFLECTION_SECTIONS,
    REPLY_MAX,
    SECTION_MAX,
    Message,
    add_reply,
    edited_since_seen,
    last_seen,
    mark_seen,
    save_reflection,
    thread,
)
from domain.sharing.items import (
    note,
    open_item,
    parse_note,
    question,
    question_aad,
    question_plain,
    seal_item,
    seal_note,
    share_info,
)
from domain.sharing.overview import (
    inbox,
    inbox_sections,
    outbox,
    outbox_items,
    unseen_count,
    unseen_counts,
    unseen_summary,
)
from domain.sharing.rotation import due as rotation_due  # noqa: F401 (the sharing API)
from domain.sharing.rotation import rotate
from domain.sharing.urgent import mandate_of_entry, supervisor_of, urgent_waiting

__all__ = [
    "QUESTION_MAX", "REFLECTION_SECTIONS", "REPLY_MAX", "SECTION_MAX", "Access", "Decision", "Message",
    "access_log", "add_reply", "can", "decide_entry", "decide_share", "decide_share_held", "edited_since_seen",
    "end_between", "entry_key_for", "hold", "identifying_details", "inbox", "inbox_sections", "is_active",
    "last_seen", "log_access", "mandate_of_entry", "mark_seen", "note", "open_item", "outbox", "outbox_items", "question", "question_aad", "read_entry",
    "revoke", "save_reflection", "seal_item", "share", "share_info", "shares_of_entry", "supervisor_of", "sweep",
    "thread", "unseen_count", "unseen_counts", "unseen_summary", "urgent_waiting",
]

QUESTION_MAX = 1000


# --- before sharing ------------------------------------------------------------------------------

def identifying_details(items: list[journal.Item], question_text: str = "") -> list[tuple[tuple[str, str], object]]:
    """Identifying details in what is about to be shared, each named by (entry headline, field
    label); the labels are English msgids the page translates. A warning only."""
    found = []
    for item in items:
        kind = KINDS[item.kind]
        texts = {f.label: item.data.get(f.name) or "" for f in kind.fields if f.type in ("text", "line")}
        texts[N_("Title")] = item.data.get("title") or ""
        for label, findings in pii.scan_fields(texts).items():
            found += [((item.headline, label), fnd) for fnd in findings]
    found += [(("", N_("Your question")), fnd) for fnd in pii.scan(question_text or "")]
    return found


# --- sharing -------------------------------------------------------------------------------------

def _reader_link(owner_id: str, reader_id: str) -> ContactLink:
    link = db.session.scalar(select(ContactLink).where(ContactLink.holder_id == owner_id,
                                                       ContactLink.other_id == reader_id))
    if link is None:
        raise Refusal(N_("You can only share with your contacts."), 403)
    reader = db.session.get(User, reader_id)
    if reader is None or reader.public_key != link.pinned_key:
        raise Refusal(N_("This contact's key has changed. Compare the fingerprint with them and confirm "
                      "it on their contact page before sharing."), 409)
    return link


def _check_request(entry_ids: list[str], reader_ids: list[str], question_text: str,
                   expires_at: datetime | None, now: datetime) -> None:
    if not entry_ids or not reader_ids:
        raise Refusal(N_("Choose at least one entry and one contact."))
    if len(question_text) > QUESTION_MAX:
        raise Refusal(N_("The question can be at most %(max)d characters."), max=QUESTION_MAX)
    if expires_at is not None and expires_at <= now:
        raise Refusal(N_("The end date must be in the future."))


def _held_own_entry(owner: User, owner_key: bytes, entry_id: str) -> tuple[Entry, bytes, dict]:
    """The owner's entry, held, with its key and content; refused when it is not theirs or a draft."""
    entry = hold(entry_id) if journal.get_owned(owner.id, entry_id) is not None else None
    if entry is None:
        raise Refusal(N_("You can only share your own entries."), 404)
    key = sealed.content_key(entry, journal.TABLE, owner_key)
    data = sealed.read(entry, journal.TABLE, key)
    if data.get("status") == "draft":
        raise Refusal(N_("This entry is still a draft. Save it before you share it."))
    return entry, key, data


def _share_row(owner: User, entry: Entry, key: bytes, link: ContactLink, now: datetime) -> Share:
    """The active share of the entry with this reader, or a new one."""
    row = next((s for s in db.session.scalars(select(Share).where(
        Share.entry_id == entry.id, Share.reader_id == link.other_id)
        .execution_options(populate_existing=True)) if is_active(s, now)), None)
    if row is None:
        row = Share(id=new_id(), entry_id=entry.id, owner_id=owner.id, reader_id=link.other_id,
                    key_version=entry.key_version, created_at=now, owner_seen_at=now,
                    wrapped_key=keyring.hpke_wrap(link.pinned_key, key,
                                                  share_info(entry.id, link.other_id, entry.key_version)))
        row.created_now = True  # not stored: tells the caller to notify once, not on a double submit
        db.session.add(row)
    return row


def _write_note(row: Share, key: bytes, question_text: str, urgent: bool, mandate: dict) -> None:
    """Seal the share's note. A new question on an answered share sends it back to "waiting";
    a re-share without a question keeps the old one (and its urgency)."""
    old = parse_note(question_plain(row, key)) if row.question else None
    if old is not None and question_text and question_text != old["question"]:
        row.reflected_at = None
    keep_urgent = old is not None and old["urgent"] and not question_text
    seal_note(row, key, question_text or (old["question"] if old else ""), urgent or keep_urgent, mandate)


def share(owner: User, owner_key: bytes, entry_ids: list[str], reader_ids: list[str], question_text: str,
          expires_at: datetime | None, now: datetime | None = None, *, urgent: bool = False,
          include_mandate: bool = False) -> list[Share]:
    """Share each entry with each reader. An entry already actively shared with a reader is not
    shared twice (a double submit is harmless); its question is updated if a new one is given.
    `include_mandate` puts a snapshot of the entry's process mandate in the note; without it the
    reader gets none (a re-share without the tick takes it away)."""
    now = now or utcnow()
    _check_request(entry_ids, reader_ids, question_text, expires_at, now)
    links = [_reader_link(owner.id, rid) for rid in dict.fromkeys(reader_ids)]
    out = []
    for entry_id in sorted(dict.fromkeys(entry_ids)):  # one lock order, so two bundles cannot deadlock
        entry, key, data = _held_own_entry(owner, owner_key, entry_id)
        mandate = mandate_of_entry(owner.id, owner_key, data) if include_mandate else {}
        for link in links:
            row = _share_row(owner, entry, key, link, now)
            _write_note(row, key, question_text, urgent, mandate)
            row.expires_at = expires_at
            out.append(row)
    return out


def shares_of_entry(entry_id: str) -> list[Share]:
    return list(db.session.scalars(select(Share).where(Share.entry_id == entry_id)
                                   .order_by(Share.created_at.desc())))


# --- ending shares -------------------------------------------------------------------------------

def revoke(owner: User, owner_key: bytes, share_row: Share, now: datetime | None = None) -> None:
    """End one reader's access: delete the wrap, then rotate the entry key for everyone left."""
    entry = hold(share_row.entry_id)
    if entry is None:
        return  # deleted by another request a moment ago: its shares went with it
    if entry.owner_id != owner.id:
        raise Refusal(N_("No access."), 404)
    share_row = refresh(Share, share_row.id)
    if share_row is None or (share_row.revoked_at is not None and share_row.wrapped_key is None
                             and not entry.needs_rotation):
        return  # already revoked by another request: nothing left to do
    share_row.revoked_at = share_row.revoked_at or (now or utcnow())
    share_row.wrapped_key = None
    rotate(entry, owner_key)


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
        row = refresh(Share, row.id)
        if entry is not None and row is not None and row.revoked_at is None:
            row.revoked_at, row.wrapped_key = now, None
            entry.needs_rotation = True


def sweep(owner: User, owner_key: bytes, now: datetime | None = None) -> int:
    """Rotate entries whose readers lost access while the owner was away (expiry, removal)."""
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
            rotate(entry, owner_key)
    return len(to_rotate)

"""The one access decision every sharing route asks: who the user is for an entry or a share
(owner, reader, revoked, expired or none) and what that role may do; holding an entry before
writing to it; the entry key as the user may hold it; and the access log.

Crypto shape (docs/ARCHITECTURE.md): a share holds the entry key wrapped to the reader's pinned
public key with HPKE (info bound to entry, reader and key version)."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from domain.accounts import account as accounts
from domain.core import keyring, sealed
from domain.core.db import db, for_update, utcnow
from domain.core.models import AccessEvent, Entry, Share, User
from domain.core.refusal import N_, Refusal
from domain.journal import entries as journal
from domain.sharing.items import share_info


class Access(enum.Enum):
    VIEW = "view"
    REFLECT = "reflect"
    REPLY = "reply"
    MANAGE = "manage"


_ALLOWED = {
    "owner": {Access.VIEW, Access.REPLY, Access.MANAGE},
    "reader": {Access.VIEW, Access.REFLECT, Access.REPLY},
}


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


def refresh(model, obj_id: str):
    """The row as stored now (re-read after a hold)."""
    return db.session.scalar(select(model).where(model.id == obj_id).execution_options(populate_existing=True))


def decide_share_held(user_id: str, share_id: str) -> Decision:
    """decide_share for a writer: the entry held and the share re-read inside the hold."""
    share = db.session.get(Share, share_id) if _plausible_id(share_id) else None
    if share is None or hold(share.entry_id) is None or refresh(Share, share_id) is None:
        return Decision("none")
    return decide_share(user_id, share_id)


# --- keys ----------------------------------------------------------------------------------------

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
    raise Refusal(N_("No access."), 404)


def read_entry(decision: Decision, key: bytes) -> dict:
    return sealed.read(decision.entry, journal.TABLE, key)


# --- access log ----------------------------------------------------------------------------------

def log_access(entry_id: str, actor_id: str, action: str) -> None:
    db.session.add(AccessEvent(entry_id=entry_id, actor_id=actor_id, action=action))


def access_log(entry_id: str) -> list[AccessEvent]:
    return list(db.session.scalars(select(AccessEvent).where(AccessEvent.entry_id == entry_id)
                                   .order_by(AccessEvent.at.desc()).limit(200)))

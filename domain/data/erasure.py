"""Delete an account for good: crypto-shred first (overwrite every wrapped key), then delete rows.

Order matters. Overwriting the wrapped keys in one committed step means that even a backup or a
free database page that still holds old ciphertext can never be opened again; only then are the
rows removed (foreign keys cascade to entries, processes, shares, threads, sessions, contacts).
"""
from __future__ import annotations

import secrets

from sqlalchemy import select, update

from domain.core.db import db
from domain.core.models import Entry, GroupMember, Passkey, Process, Share, User
from domain.groups import contributions as trend_store
from domain.groups import membership as groups


def _noise(n: int = 93) -> bytes:
    return secrets.token_bytes(n)


def _like(old: bytes | None) -> bytes:
    """Random bytes as long as what they replace: an overwritten wrap looks like any other, and
    the database page holding it is rewritten in place, whatever the wrap's format version."""
    return _noise(len(old) if old else 93)


def shred(user: User, user_key: bytes, server_secret: bytes) -> None:
    """Step 1 (commit after it): group facts gone, readers' access gone, every key overwritten."""
    for ms in groups.memberships(user, user_key):
        trend_store.withdraw(ms, user_key)
        if _last_lead(ms):
            _drop_group(ms, server_secret)
        else:
            groups.remove(ms, ms.member.id, server_secret)
    # Entries of others that were shared with this user: their owners rotate on the next visit.
    for share in db.session.scalars(select(Share).where(Share.reader_id == user.id)):
        entry = db.session.get(Entry, share.entry_id)
        if entry is not None and share.wrapped_key is not None:
            entry.needs_rotation = True
    db.session.execute(update(Share).where(Share.reader_id == user.id).values(wrapped_key=None))
    db.session.execute(update(Share).where(Share.owner_id == user.id).values(wrapped_key=None))
    for model in (Entry, Process):
        for row in db.session.scalars(select(model).where(model.owner_id == user.id)):
            row.wrapped_key = _like(row.wrapped_key)
    for passkey in db.session.scalars(select(Passkey).where(Passkey.user_id == user.id)):
        passkey.uk_by_prf = _like(passkey.uk_by_prf) if passkey.uk_by_prf else None
        passkey.name_sealed = _like(passkey.name_sealed)
    user.uk_by_password = _like(user.uk_by_password)
    user.uk_by_recovery = _like(user.uk_by_recovery)
    user.private_key_sealed = _like(user.private_key_sealed)
    user.profile_sealed = _like(user.profile_sealed)
    user.totp_sealed = None
    user.verifier_digest = _noise(32)
    user.recovery_digest = _noise(32)


def _last_lead(ms: groups.Membership) -> bool:
    leads = db.session.scalars(select(GroupMember).where(GroupMember.group_id == ms.group.id,
                                                         GroupMember.role == "lead")).all()
    return ms.is_lead and len(leads) == 1


def _drop_group(ms: groups.Membership, server_secret: bytes) -> None:
    """The only lead leaves: hand the group to the longest-standing member, or delete it if empty."""
    others = db.session.scalars(select(GroupMember).where(GroupMember.group_id == ms.group.id,
                                                          GroupMember.id != ms.member.id)
                                .order_by(GroupMember.joined_at)).all()
    if others:
        others[0].role = "lead"
    groups.remove(ms, ms.member.id, server_secret)


def delete_rows(user_id: str) -> None:
    """Step 2: remove the user row; everything else follows through ON DELETE CASCADE."""
    user = db.session.get(User, user_id)
    if user is not None:
        db.session.delete(user)


def compact_sqlite() -> None:
    """On SQLite, push the WAL into the main file and truncate it, so old page images of the
    deleted rows do not linger next to the database (secure_delete zeroes freed pages)."""
    if db.engine.dialect.name == "sqlite":
        # A checkpoint cannot run inside a transaction, and SQLAlchemy would BEGIN first (see
        # domain.db), so it goes to the driver connection directly.
        db.session.commit()
        with db.engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

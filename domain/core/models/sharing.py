"""Sharing: invitations, contacts, shares, their threads and who opened what."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db, new_id, utcnow


class Invitation(db.Model):
    """A single-use link to become someone's contact. The server keeps only a hash of the link's
    token; the inviter's display name is sealed under a key derived from the token, so only the
    person holding the link can read who invited them."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    inviter_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ContactLink(db.Model):
    """One side of a contact: what `holder` knows about `other`. Two rows per contact.

    `role` is the other person's role for the holder as chosen by the inviter ("peer" or
    "supervisor"; "client" on the invitee's side means "the inviter shares with me").
    `pinned_key` is the other's public key as confirmed; sharing refuses when it no longer matches.
    `sealed` (under the holder's user key) holds the other's display name; `mailbox` holds news for
    the holder sealed to their public key (HPKE) until their next visit folds it into `sealed`."""

    __tablename__ = "contact_links"
    __table_args__ = (UniqueConstraint("holder_id", "other_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    holder_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    inviter: Mapped[bool] = mapped_column(default=False)
    pinned_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    mailbox: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Share(db.Model):
    """An entry shared with one reader: the entry key wrapped to the reader's public key (HPKE).
    Revoking deletes the wrap and rotates the entry key (see sharing.revoke)."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reader_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    question: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    reflected_at: Mapped[datetime | None] = mapped_column(default=None)
    owner_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    reader_seen_at: Mapped[datetime | None] = mapped_column(default=None)


class ThreadItem(db.Model):
    """A structured reflection or a reply in one share's thread, sealed under the entry key so the
    owner and that reader can read it and a revoke's key rotation re-encrypts it."""

    __tablename__ = "thread_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))          # reflection | reply
    draft: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class AccessEvent(db.Model):
    """Who opened a shared entry or its thread, and when: ids and times, never content."""

    __tablename__ = "access_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)

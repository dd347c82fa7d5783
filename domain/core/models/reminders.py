"""Reminders: the private calendar feed and the dates a user asked to be reminded of. Clear
columns are ids, the owner, times and key material that is itself wrapped; the event list and the
chosen dates are sealed (docs/ARCHITECTURE.md, "Calendar reminders")."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db, new_id, utcnow


class CalendarFeed(db.Model):
    """One private feed per user. `token_hash` finds it (SHA-256 of the secret in the URL); the
    feed key is HKDF(token), so only the URL opens `events`; `key_by_user` wraps the same key under
    the user key, so the owner's writes can refresh the events while they are logged in."""

    __tablename__ = "calendar_feeds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    key_by_user: Mapped[bytes] = mapped_column(LargeBinary)
    events: Mapped[bytes] = mapped_column(LargeBinary)
    # A drop box for reminders others give this user (a supervisor's follow-up date in a reflection
    # on their entry): sealed to this public key, opened at fetch time with the private key, which
    # is sealed under the feed key.
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    private_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarDrop(db.Model):
    """One reminder dropped into someone's feed by another user's write, HPKE-sealed to the feed's
    public key; folded into the sealed event list (and deleted) at the owner's next write."""

    __tablename__ = "calendar_drops"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    feed_id: Mapped[str] = mapped_column(ForeignKey("calendar_feeds.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderPlan(db.Model):
    """The dates a user set on the calendar page (next supervision meetings, visits to write
    about), sealed under a subkey of the user key."""

    __tablename__ = "reminder_plans"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

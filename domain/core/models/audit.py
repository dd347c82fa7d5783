"""The security event log (issue 20.3): who did what to an account, when, from where, with what
outcome; never anything a user wrote or chose. Append-only, each row chained to the one before by
a hash (domain/ops/audit_chain.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db, utcnow


class AuditEvent(db.Model):
    """One security event. `pseudonym` names the account without naming it (AuditSubject holds
    the link while the account exists); `address` is the client address as the proxy setup gives
    it. `seq` has no gaps, so a deleted row shows as a break in the chain."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(40))
    pseudonym: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(200), default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditSubject(db.Model):
    """The link from an account to its log pseudonym: a keyed hash of the user id under a random
    per-account key. Deleted with the account (ON DELETE CASCADE), after which its events can no
    longer be tied to the id by anyone, the operator with the server secret included."""

    __tablename__ = "audit_subjects"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True)

"""Retention: each user's period and what the owner decided about one entry's or process's expiry.

Clear on purpose (SECURITY.md, "Retention"): the period in months (3, 6, 12, 24; it can be read off
the clear `expires_on` dates anyway), a chosen date, whether the one extension is used, and the day
a process was first seen ended without an end date. The reason for an extension is sealed."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, LargeBinary, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db


class RetentionChoice(db.Model):
    __tablename__ = "retention_choices"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    months: Mapped[int] = mapped_column(SmallInteger, default=12)
    # Set once every older row of this user has been given its date (the login backfill).
    backfilled_at: Mapped[datetime | None] = mapped_column(nullable=True)


class RetentionMark(db.Model):
    """One entry's or process's retention state beyond its computed date. After a keyless shred
    the row stays (`shredded_on`) until the owner's next login removes the trend facts, which
    only the owner's key can find (their tags are keyed by it)."""

    __tablename__ = "retention_marks"

    object_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    table: Mapped[str] = mapped_column(String(16))
    ended_seen: Mapped[date | None] = mapped_column(Date, nullable=True)
    until: Mapped[date | None] = mapped_column(Date, nullable=True)
    extended: Mapped[bool] = mapped_column(default=False)
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    shredded_on: Mapped[date | None] = mapped_column(Date, nullable=True)

"""The journal: sealed entries and processes, and the sealed index that lists them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db, new_id, utcnow


class SealedMixin:
    """A row whose content is one sealed JSON blob under its own content key; the content key is
    wrapped under the owner's user key. Clear: ids, owner, timestamps, key version."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    # Counts writes of the content (edits and key rotations): a save names the version its form
    # was opened with and is refused if the row has moved on (domain/core/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Entry(SealedMixin, db.Model):
    """A journal entry of any kind; kind, themes and status (draft or saved) are inside `content`."""

    __tablename__ = "entries"
    __table_args__ = (
        # What is due soon, per owner (the home page's notice; docs/ARCHITECTURE.md "Journal index and speed").
        Index("ix_entries_owner_expires", "owner_id", "expires_on"),
        # The few entries waiting for a key rotation, without reading every row of the owner on each write.
        Index("ix_entries_rotation_due", "owner_id", sqlite_where=text("needs_rotation IS 1"),
              postgresql_where=text("needs_rotation IS true")),
    )

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Set when a reader lost access without the owner present (contact removed, share expired):
    # the owner's next visit rotates the entry key (sharing.sweep).
    needs_rotation: Mapped[bool] = mapped_column(default=False)
    # Clear on purpose: `flask fokus expire` has no user key (domain/data/retention.py, SECURITY.md).
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)


class Process(SealedMixin, db.Model):
    """A guidance process (a dyad under a pseudonymous code); everything about it is sealed."""

    __tablename__ = "processes"
    __table_args__ = (Index("ix_processes_owner_expires", "owner_id", "expires_on"),)

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # None while the process is open: its clock starts when it ends (domain/data/retention.py).
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)


class JournalIndexPage(db.Model):
    """Up to 200 compact records of one user's entries (kind, day, themes, headline...), sealed
    under a key derived from the user key, with the searchable text sealed beside them. Clear:
    owner, page number, a revision counter and the creation time of the page's oldest entry
    (already clear on the entries table)."""

    __tablename__ = "journal_index"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    page_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rev: Mapped[int] = mapped_column(Integer, default=0)
    first_created: Mapped[datetime] = mapped_column()
    records: Mapped[bytes] = mapped_column(LargeBinary)
    search: Mapped[bytes] = mapped_column(LargeBinary)

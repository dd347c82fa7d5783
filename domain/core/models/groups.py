"""Seminar groups and their trends: membership, join links, contributed facts and the counts
kept from them on every write."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db, new_id, utcnow


class Group(db.Model):
    """A seminar group. Its name is sealed under the group key, which members hold."""

    __tablename__ = "seminar_groups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    k: Mapped[int] = mapped_column(Integer, default=3)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # When the first member contributed. From then on k cannot change: the same counts released
    # at two thresholds could give away a hidden one (docs/ARCHITECTURE.md, "Seminar trends").
    k_fixed_at: Mapped[datetime | None] = mapped_column(default=None)


class GroupMember(db.Model):
    """Membership. Whether a member contributes is known only to them (`state_sealed` is under
    their user key); `pseudonym_sealed` (under a server-derived key) lets a lead's removal purge
    the member's facts without the database alone linking facts to accounts."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # lead | member
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    group_key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    state_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    pseudonym_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class GroupInvite(db.Model):
    """A join link (single- or multi-use, with expiry). The group key travels sealed under a key
    derived from the link's token; the server keeps only the token's hash."""

    __tablename__ = "group_invites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    multi_use: Mapped[bool] = mapped_column(default=False)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class TrendFact(db.Model):
    """One non-identifying fact a consenting member contributes to a group: month and catalogue
    ids only, under a per-group pseudonym derived from the member's user key. No timestamps, no
    text, no serial ids (row order would hint at who wrote when)."""

    __tablename__ = "trend_facts"
    # Covering index: group trends are answered from the index alone (an index-only scan on
    # PostgreSQL), which keeps a million-row group fast. SQLite ignores INCLUDE.
    # WITHOUT ROWID: SQLite stores rows in primary-key order (random ids), not in insertion order.
    __table_args__ = (Index("ix_trend_facts_group_month", "group_id", "month",
                            postgresql_include=["pseudonym", "kind", "theme", "subtheme", "band", "outcome"]),
                      {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    entry_tag: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(24))
    theme: Mapped[str | None] = mapped_column(String(40), default=None)
    subtheme: Mapped[str | None] = mapped_column(String(80), default=None)
    band: Mapped[str | None] = mapped_column(String(8), default=None)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)


class TrendKeyMixin:
    """The leading primary-key columns of the counts kept from trend_facts: group, month, table.
    `sort_order` keeps them first in each table; mixin columns would otherwise land last and
    reorder the primary key."""

    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), primary_key=True,
                                          sort_order=-1)
    month: Mapped[str] = mapped_column(String(7), primary_key=True, sort_order=-1)
    tbl: Mapped[str] = mapped_column(String(12), primary_key=True, sort_order=-1)


class TrendRollup(TrendKeyMixin, db.Model):
    """Group trend facts counted per (group, month, cell, pseudonym), kept in step with
    trend_facts on every write (domain/groups/contributions.py), so a group's table for 24 months reads thousands
    of rows instead of a million. Holds nothing trend_facts does not already hold. `tbl` is ""
    for facts outside the tables (process facts, which still count as a contributor)."""

    __tablename__ = "trend_rollup"

    cell: Mapped[str] = mapped_column(String(80), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TrendCell(TrendKeyMixin, db.Model):
    """Per group, month and cell: the number of facts and of distinct contributors (from
    trend_rollup, kept on write). What a group table shows, before suppression."""

    __tablename__ = "trend_cells"

    cell: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)


class TrendPresence(TrendKeyMixin, db.Model):
    """Per group, month and table: which pseudonyms have any fact there (and in how many cells),
    for the distinct-contributor counts of columns, tables and the period."""

    __tablename__ = "trend_presence"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    cells: Mapped[int] = mapped_column(Integer, default=0)


class TrendYearKeyMixin:
    """The leading primary-key columns of the per-year month masks: group, year, table."""

    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), primary_key=True,
                                          sort_order=-1)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, sort_order=-1)
    tbl: Mapped[str] = mapped_column(String(12), primary_key=True, sort_order=-1)


class TrendCellMask(TrendYearKeyMixin, db.Model):
    """Per group, year, cell and pseudonym: the months (bit 0 = January) in which that person has
    facts in the cell, kept on write from trend_rollup. A year's distinct-contributor counts of
    every block read one row per person and cell instead of up to twelve
    (docs/ARCHITECTURE.md, "Group trends speed")."""

    __tablename__ = "trend_cell_masks"
    __table_args__ = ({"sqlite_with_rowid": False},)   # as trend_facts: rows in key order, not write order

    cell: Mapped[str] = mapped_column(String(80), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    months: Mapped[int] = mapped_column(Integer, default=0)


class TrendPresenceMask(TrendYearKeyMixin, db.Model):
    """Per group, year, table and pseudonym: the months in which that person has any fact in the
    table, kept on write from trend_presence."""

    __tablename__ = "trend_presence_masks"
    __table_args__ = ({"sqlite_with_rowid": False},)

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    months: Mapped[int] = mapped_column(Integer, default=0)

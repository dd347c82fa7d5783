"""Expiry dates, set on every write while the owner's key is here (domain/journal/owned.py).

The date is a clear column (`expires_on`) because the command that shreds (`flask fokus expire`)
has no user key; computing it needs plaintext (the entry's date, the process's end, the link
between them), so it is computed here, on each write, from the data being written:

- a process: open -> no date yet; ended -> `ended_on` (or the day the end was first seen, when no
  date was given) plus the owner's period;
- an entry linked to a process: the process's date (none while the process is open);
- any other entry: its visit date (else its creation day) plus the period;
- a date the owner chose for the object (`RetentionMark.until`) wins over all of these.
Imports only core and the catalogue: the journal calls this, never the reverse.
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import bindparam, exists, select, update

from domain.catalogue import outcomes
from domain.core.db import core_read, db, utcnow
from domain.core.models import Entry, Process, RetentionChoice, RetentionMark

PERIODS = (3, 6, 12, 24)
DEFAULT_MONTHS = 12
WARN_DAYS = 14


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_of(owner_id: str) -> int:
    choice = db.session.get(RetentionChoice, owner_id)
    return choice.months if choice is not None else DEFAULT_MONTHS


def choice_row(owner_id: str) -> RetentionChoice:
    choice = db.session.get(RetentionChoice, owner_id)
    if choice is None:
        choice = RetentionChoice(user_id=owner_id, months=DEFAULT_MONTHS)
        db.session.add(choice)
    return choice


def mark_of(obj_id: str) -> RetentionMark | None:
    return db.session.get(RetentionMark, obj_id)


def extended(obj_ids) -> set[str]:
    """Which of these objects had their deletion postponed once ("keep longer")."""
    ids = list(obj_ids)
    return set(core_read(_EXTENDED, {"ids": ids}).scalars()) if ids else set()


# Built once: the home page asks on every view, and building a statement costs more than running it.
_EXTENDED = select(RetentionMark.object_id).where(RetentionMark.object_id.in_(bindparam("ids", expanding=True)),
                                                  RetentionMark.extended.is_(True))


def mark_row(table: str, row) -> RetentionMark:
    mark = db.session.get(RetentionMark, row.id)
    if mark is None:
        mark = RetentionMark(object_id=row.id, owner_id=row.owner_id, table=table, extended=False)
        db.session.add(mark)
    return mark


def _iso(value) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def process_end(row: Process, data: dict) -> date | None:
    """The day the clock starts for a process, or None while it is open. An end without a date
    counts from the day it was first seen (remembered in the mark, so later edits keep it)."""
    if outcomes.is_open(data):
        mark = mark_of(row.id)
        if mark is not None and mark.ended_seen is not None:
            mark.ended_seen = None
        return None
    given = _iso(outcomes.upgraded(data).get("ended_on"))
    if given is not None:
        return given
    mark = mark_row("processes", row)
    if mark.ended_seen is None:
        mark.ended_seen = utcnow().date()
    return mark.ended_seen


def computed_for_entry(row: Entry, data: dict, months: int) -> date | None:
    process_id = data.get("process_id")
    if process_id:
        process = db.session.get(Process, process_id)
        if process is not None and process.owner_id == row.owner_id:
            return process.expires_on   # None while the process is open
    return _by_visit(row, data, months)


def _by_visit(row: Entry, data: dict, months: int) -> date:
    return add_months(_iso(data.get("visit_date")) or row.created_at.date(), months)


# What an entry's date depends on (the owner's period, the owner's own date for the entry, its
# process and that process's date) in one statement, built once: it runs on every entry write.
_ENTRY_INPUTS = select(
    select(RetentionChoice.months).where(RetentionChoice.user_id == bindparam("owner")).scalar_subquery(),
    select(RetentionMark.until).where(RetentionMark.object_id == bindparam("entry")).scalar_subquery(),
    exists().where(Process.id == bindparam("process"), Process.owner_id == bindparam("owner")),
    select(Process.expires_on).where(Process.id == bindparam("process")).scalar_subquery())


def entry_date(row: Entry, data: dict) -> date | None:
    """computed_for_entry with months_of and the owner's own date (_with_choice), in one query."""
    months, until, linked, process_date = db.session.execute(_ENTRY_INPUTS, {
        "owner": row.owner_id, "entry": row.id, "process": data.get("process_id") or None}).one()
    if until is not None:
        return until
    return process_date if linked else _by_visit(row, data, DEFAULT_MONTHS if months is None else months)


def _with_choice(obj_id: str, computed: date | None) -> date | None:
    mark = mark_of(obj_id)
    return mark.until if mark is not None and mark.until is not None else computed


def object_changed(table: str, row, data: dict | None, linked: Callable[[], Iterable[str]]) -> None:
    """Called for every write of an entry or process (data None: deleted). `linked` gives the ids
    of a process's entries (from the sealed journal index) and is only asked when it matters."""
    if data is None:
        mark = mark_of(row.id)
        if mark is not None:
            db.session.delete(mark)
        return
    if table == "entries":
        row.expires_on = entry_date(row, data)
        return
    months = months_of(row.owner_id)
    end = process_end(row, data)
    before = row.expires_on
    row.expires_on = _with_choice(row.id, add_months(end, months) if end is not None else None)
    if row.expires_on != before:
        follow_process(row, linked())


def follow_process(process: Process, entry_ids: Iterable[str]) -> None:
    """A process's entries take its date, except those with a date of their own."""
    chosen = set(db.session.scalars(select(RetentionMark.object_id).where(
        RetentionMark.owner_id == process.owner_id, RetentionMark.until.is_not(None))))
    ids = [i for i in entry_ids if i not in chosen]
    if ids:
        db.session.execute(update(Entry).where(Entry.owner_id == process.owner_id, Entry.id.in_(ids))
                           .values(expires_on=process.expires_on).execution_options(synchronize_session="fetch"))


def choose(table: str, row, until: date, *, reason_sealed: bytes | None = None) -> RetentionMark:
    """The owner's own date for one object (or, with a sealed reason, the one extension)."""
    mark = mark_row(table, row)
    mark.until = until
    if reason_sealed is not None:
        mark.extended = True
        mark.reason_sealed = reason_sealed
    row.expires_on = until
    return mark

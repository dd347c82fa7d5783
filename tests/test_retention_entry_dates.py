"""An entry's expiry date as every write sets it (expiry.entry_date: one query for the period, the
owner's own date and the process): the visit date plus the period, the process's date for an entry
of an ended process, the owner's own date over both, and never another owner's process."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from domain.core.db import db
from domain.core.models import Entry, Process, User
from domain.journal import entries as journal
from domain.journal import processes
from domain.retention import expiry
from tests.test_groups_http import HS, entry, make_user


def _create(user: User, key: bytes, procs: set[str], **extra) -> Entry:
    data = journal.clean({**entry(HS, 0)["data"], "visit_date": "2026-03-31", **extra}, procs, False)
    row = journal.create(user, key, data)
    db.session.flush()
    return row


def test_every_write_sets_the_date_from_period_process_and_own_choice(app, ctx):
    uid, key = make_user(app, "dates", procs=[{"code": "MM-1"}], keep_months=6)
    other_uid, _other_key = make_user(app, "other", procs=[{"code": "MM-9"}])
    user = db.session.get(User, uid)
    proc = db.session.scalars(select(Process).where(Process.owner_id == uid)).one()
    foreign = db.session.scalars(select(Process).where(Process.owner_id == other_uid)).one()
    processes.update(proc, key, {"code": "MM-1", "ended": "as_planned", "ended_on": "2026-02-10"})
    db.session.flush()
    assert _create(user, key, set()).expires_on == date(2026, 9, 30)            # visit + 6 months
    linked = _create(user, key, {proc.id}, process_id=proc.id)
    assert linked.expires_on == proc.expires_on == date(2026, 8, 10)            # the process's date
    row = Entry(id="x" * 32, owner_id=uid, created_at=linked.created_at)
    assert expiry.entry_date(row, {"process_id": foreign.id, "visit_date": "2026-03-31"}) == date(2026, 9, 30)
    chosen = date(2027, 5, 1)
    expiry.choose("entries", linked, chosen)
    db.session.flush()
    journal.update(linked, key, journal.read(linked, key) | {"what_happened": "edited"})
    db.session.flush()
    assert linked.expires_on == chosen                                          # an edit keeps the own date

"""Retention with the owner's key: the home notice, a chosen date, the one extension, the period,
the backfill of rows written before expiry dates existed, and expiry at login (which, having the
key, also removes the trend facts and the index copy at once). Dates: domain/retention/expiry.py;
shredding: domain/retention/shred.py."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import bindparam, func, literal, select, union_all

from domain.core import keyring
from domain.core.db import core_read, db, utcnow
from domain.core.models import Entry, Process, User
from domain.core.refusal import N_, Refusal
from domain.groups import contributions as trend_store
from domain.journal import entries as journal
from domain.journal import index as journal_index
from domain.journal import processes
from domain.journal.owned import linked_entries
from domain.retention import expiry, shred

REASON_MAX = 500


@dataclass(frozen=True)
class Soon:
    """One thing the home notice lists."""
    table: str
    id: str
    label: str
    expires_on: date
    extended: bool


def _reason_aad(owner_id: str, obj_id: str) -> bytes:
    return keyring.aad("retention", "reason", owner_id, obj_id)


def expiring(user: User, user_key: bytes, today: date, session_id: str | None = None,
             limit: int | None = None) -> tuple[list[Soon], int]:
    """What expires within two weeks, soonest first (entries labelled from the sealed index), at
    most `limit` of them, and how many there are in all. One query for the dates, one for the
    marks: the work grows with `limit`, not with the journal (docs/ARCHITECTURE.md, "Journal
    index and speed")."""
    until = today + timedelta(days=expiry.WARN_DAYS)
    found = core_read(_due(),
                               {"owner": user.id, "until": until, "n": limit or 10**9}).all()
    total = found[0][3] if found else 0
    extended = expiry.extended([obj_id for _on, _t, obj_id, _n in found])
    out = []
    for table in ("entries", "processes"):
        ids = {obj_id for _on, t, obj_id, _n in found if t == table}
        labels = _labels(user, user_key, table, ids, session_id) if ids else {}
        out += [Soon(t, obj_id, labels.get(obj_id, ""), on, obj_id in extended)
                for on, t, obj_id, _n in found if t == table]
    return sorted(out, key=lambda s: (s.expires_on, s.label)), total


@functools.cache
def _due():
    """(date, table, id, how many in all) of what is due by :until, soonest first; built once,
    since building a statement costs more than running it. The (owner_id, expires_on) indexes
    (migration 0019) find the rows due soon: each table gives its first :n in that order, and the
    total is a count over the same index range. A window count over every due row grew with the
    journal (~360 rows at 50,000 entries, half of the home page's SQL time)."""
    def due(model):
        return (model.owner_id == bindparam("owner"), model.expires_on.is_not(None),
                model.expires_on <= bindparam("until"))
    firsts = union_all(*(select(literal(table).label("t"), model.id.label("id"), model.expires_on.label("on"))
                         .where(*due(model)).order_by(model.expires_on, model.id).limit(bindparam("n"))
                         .subquery().select()
                         for model, table in ((Entry, "entries"), (Process, "processes")))).subquery()
    total = sum(select(func.count()).select_from(model).where(*due(model)).scalar_subquery()
                for model in (Entry, Process))
    return select(firsts.c.on, firsts.c.t, firsts.c.id, total).order_by(firsts.c.on, firsts.c.id).limit(bindparam("n"))


def _labels(user: User, user_key: bytes, table: str, ids: set[str], session_id: str | None) -> dict[str, str]:
    if table == "entries":
        by_id = journal_index.view(user, user_key, session_id).by_id()
        return {i: by_id[i].headline for i in ids if i in by_id}
    return {row.id: data.get("code", "") for row, data in _processes(user.id, user_key) if row.id in ids}


def _processes(owner_id: str, user_key: bytes) -> list[tuple[Process, dict]]:
    """The owner's processes that open; a damaged row is left out (it must never stop a login)."""
    out = []
    for row in db.session.scalars(select(Process).where(Process.owner_id == owner_id)):
        try:
            out.append((row, processes.read(row, user_key)))
        except (keyring.CryptoError, ValueError, KeyError, TypeError):
            continue
    return out


def dates_of(owner_id: str, ids) -> dict[str, date | None]:
    """Deletion dates of these entries and processes of the owner, in one query by primary key
    (rows of another owner count as unknown)."""
    ids = list(ids)
    out: dict[str, date | None] = dict.fromkeys(ids)
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        out.update((obj_id, on) for obj_id, owner, on in core_read(_DATES, {"ids": chunk})
                   if owner == owner_id)
    return out


_DATES = union_all(*(select(m.id, m.owner_id, m.expires_on).where(m.id.in_(bindparam("ids", expanding=True)))
                     for m in (Entry, Process)))


def owned_row(owner_id: str, table: str, obj_id: str):
    return (journal if table == "entries" else processes).get_owned(owner_id, obj_id)


def choose_date(user: User, user_key: bytes, table: str, row, until: date, today: date) -> None:
    if until <= today:
        raise Refusal(N_("Choose a date after today."), 400)
    expiry.choose(table, row, until)
    if table == "processes":
        expiry.follow_process(row, linked_entries(user.id, user_key, row.id))


def extend(user: User, user_key: bytes, table: str, row, reason: str, today: date) -> date:
    """The one extension: the owner's period again, from the current date, with a sealed reason."""
    reason = reason.strip()
    mark = expiry.mark_of(row.id)
    if mark is not None and mark.extended:
        raise Refusal(N_("This has already been extended once."), 409)
    if not reason:
        raise Refusal(N_("Write a short reason for keeping it longer."), 400)
    if len(reason) > REASON_MAX:
        raise Refusal(N_("Keep the reason under %(num)d characters."), 400, num=REASON_MAX)
    until = expiry.add_months(max(row.expires_on or today, today), expiry.months_of(user.id))
    sealed = keyring.seal_for(user_key, "retention-reason", reason.encode(), _reason_aad(user.id, row.id))
    expiry.choose(table, row, until, reason_sealed=sealed)
    if table == "processes":
        expiry.follow_process(row, linked_entries(user.id, user_key, row.id))
    return until


def reason_of(user_id: str, user_key: bytes, obj_id: str) -> str:
    mark = expiry.mark_of(obj_id)
    if mark is None or mark.reason_sealed is None:
        return ""
    return keyring.open_for(user_key, "retention-reason", mark.reason_sealed, _reason_aad(user_id, obj_id)).decode()


def set_period(user: User, user_key: bytes, months: int) -> None:
    if months not in expiry.PERIODS:
        raise Refusal(N_("Choose one of the periods offered."), 400)
    expiry.choice_row(user.id).months = months
    recompute(user, user_key)


def recompute(user: User, user_key: bytes) -> None:
    """Every date of this owner again (a new period, or rows from before expiry dates existed).
    Processes first: their entries copy their date."""
    for row, data in _processes(user.id, user_key):
        expiry.object_changed("processes", row, data, lambda: ())
    for item in journal_index.view(user, user_key, None).items():
        row = db.session.get(Entry, item.row.id)
        if row is not None and not item.broken:
            row.expires_on = expiry.computed_for_entry(row, item.data, expiry.months_of(user.id))
            mark = expiry.mark_of(row.id)
            if mark is not None and mark.until is not None:
                row.expires_on = mark.until
    expiry.choice_row(user.id).backfilled_at = utcnow()


def on_login(user: User, user_key: bytes, today: date) -> int:
    """At login (a POST, the key is here): facts of objects shredded without the key go, what is
    due now is shredded with everything derived from it, and old rows get their dates once."""
    for mark in shred.pending_facts(user.id):
        trend_store.object_changed(user.id, user_key, "entry" if mark.table == "entries" else "process",
                                   mark.object_id, None, today)
        db.session.delete(mark)
    items = shred.due(today, user.id)
    for d in items:
        trend_store.object_changed(user.id, user_key, "entry" if d.table == "entries" else "process",
                                   d.id, None, d.created)
        if d.table == "entries":
            journal_index.entry_changed(db.session.get(Entry, d.id), user_key, None)
    shred.overwrite(items)
    shred.delete_rows(items, today, facts_removed=True)
    choice = db.session.get(expiry.RetentionChoice, user.id)
    if choice is None or choice.backfilled_at is None:
        recompute(user, user_key)
    return len(items)

"""Group trend facts: what a consenting member contributes, kept current while they are logged
in, and counted by the database for the group view.

Facts are computed from decrypted entries in memory with facts.facts_for_entry and stored under
the member's per-group pseudonym and a per-entry tag (both keyed by the user key), so the facts
of one edited entry can be replaced without recomputing everything.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date

from sqlalchemy import bindparam, case, delete, distinct, func, literal_column, null, select, text, union_all

from domain.core import keyring
from domain.core.db import db, new_id, utcnow
from domain.core.models import GroupMember, TrendCell, TrendFact, TrendPresence, TrendRollup
from domain.groups import membership as groups
from domain.groups import threshold
from domain.trends import fact_order
from domain.trends import rollup as trend_rollup
from domain.trends.facts import (
    EntryFact,
    GroupFact,
    ProcessFact,
    facts_for_entry,
    facts_for_process,
    month_of,
)
from domain.trends.group_tables import Aggregates


def entry_fact(data: dict, created: date) -> EntryFact:
    """What the trend code needs of one decrypted entry, nothing else."""
    day = date.fromisoformat(data["visit_date"]) if data.get("visit_date") else created
    intensity = data.get("intensity")
    return EntryFact(day=day, kind=data.get("kind", ""), themes=tuple(data.get("themes") or ()),
                     subthemes=tuple(data.get("subthemes") or ()),
                     intensity=int(intensity) if intensity is not None else None,
                     feelings=tuple(data.get("feelings") or ()), supervision=data.get("supervision") or "no",
                     process_id=data.get("process_id"), supports=tuple(data.get("supports") or ()))


def _tag(user_key: bytes, group_id: str, obj: str) -> str:
    return hmac.new(keyring.hkdf(user_key, "group-entry-tag"), f"{group_id}|{obj}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def _rows(group_id: str, pseud: str, tag: str, facts: list[GroupFact]) -> list[TrendFact]:
    return [TrendFact(id=new_id(), group_id=group_id, pseudonym=pseud, entry_tag=tag, month=f.month, kind=f.kind,
                      theme=f.theme, subtheme=f.subtheme, band=f.intensity_band, outcome=f.outcome) for f in facts]


def _entry_rows(group_id: str, user_key: bytes, entry_id: str, data: dict | None, created: date) -> list[TrendFact]:
    if data is None or data.get("status") == "draft":
        return []
    pseud = groups.pseudonym(user_key, group_id)
    return _rows(group_id, pseud, _tag(user_key, group_id, "entry|" + entry_id),
                 facts_for_entry(entry_fact(data, created), pseud))


def _process_rows(group_id: str, user_key: bytes, process_id: str, data: dict | None, month: str) -> list[TrendFact]:
    if data is None:
        return []
    pseud = groups.pseudonym(user_key, group_id)
    return _rows(group_id, pseud, _tag(user_key, group_id, "process|" + process_id),
                 facts_for_process(ProcessFact.of(process_id, data), month, pseud))


# Asked on every journal write, and for most therapists the answer is "in no group": one cheap
# statement, built once, before the member rows are loaded.
_IN_A_GROUP = select(GroupMember.id).where(GroupMember.user_id == bindparam("owner")).limit(1)


def _contributing(owner_id: str, user_key: bytes) -> list[tuple[GroupMember, dict]]:
    out: list[tuple[GroupMember, dict]] = []
    if db.session.execute(_IN_A_GROUP, {"owner": owner_id}).first() is None:
        return out
    for m in db.session.scalars(select(GroupMember).where(GroupMember.user_id == owner_id)):
        state = json.loads(keyring.open_for(user_key, "group-state", m.state_sealed,
                                                    groups._aad("state", m.group_id, m.user_id)))
        if state.get("contributing"):
            out.append((m, state))
    return out


def _touch(m: GroupMember, user_key: bytes, state: dict) -> None:
    state["refreshed_at"] = utcnow().isoformat(timespec="minutes")
    groups.write_state(m, user_key, state)


def object_changed(owner_id: str, user_key: bytes, obj: str, obj_id: str, data: dict | None,
                   created: date, month: str | None = None) -> None:
    """An entry or process was created, edited or deleted (data None): replace its facts in every
    group the owner contributes to. Called by the journal while the owner is logged in."""
    for m, state in _contributing(owner_id, user_key):
        tag = _tag(user_key, m.group_id, f"{obj}|{obj_id}")
        trend_rollup.removing_tag(m.group_id, tag)
        db.session.execute(delete(TrendFact).where(TrendFact.group_id == m.group_id, TrendFact.entry_tag == tag))
        rows = (_entry_rows(m.group_id, user_key, obj_id, data, created) if obj == "entry"
                else _process_rows(m.group_id, user_key, obj_id, data, month or month_of(created)))
        fact_order.add_facts(rows)
        trend_rollup.added(m.group_id, rows)
        if rows:
            threshold.fix_k(m.group_id)
        _touch(m, user_key, state)


def consent(ms: groups.Membership, user_key: bytes, entries: list[tuple[str, dict, date]],
            processes: list[tuple[str, dict, str]]) -> int:
    """Start contributing: backfill facts from every saved entry and process. Returns fact count."""
    withdraw(ms, user_key)
    rows: list[TrendFact] = []
    for entry_id, data, created in entries:
        rows += _entry_rows(ms.group.id, user_key, entry_id, data, created)
    for process_id, data, month in processes:
        rows += _process_rows(ms.group.id, user_key, process_id, data, month)
    fact_order.add_facts(rows)
    trend_rollup.added(ms.group.id, rows)
    threshold.fix_k(ms.group.id)  # from now on counts can be released: k stays (threshold.set_k)
    state = {"contributing": True, "since": utcnow().isoformat(timespec="minutes")}
    _touch(ms.member, user_key, state)
    ms.state = state
    return len(rows)


def withdraw(ms: groups.Membership, user_key: bytes) -> int:
    """Stop contributing: every fact this member gave the group is deleted."""
    pseud = groups.pseudonym(user_key, ms.group.id)
    n = db.session.execute(delete(TrendFact).where(TrendFact.group_id == ms.group.id,
                                                   TrendFact.pseudonym == pseud)).rowcount or 0
    trend_rollup.removed_pseudonym(ms.group.id, pseud)
    ms.state = {"contributing": False}
    groups.write_state(ms.member, user_key, ms.state)
    return n


# --- counting in the database ---------------------------------------------------------------------

def _counts_query(group_id: str, months: list[str]):
    """One statement, four levels of rows (level, month, table, cell, n, count): 0 the cells from
    trend_cells; 1 the contributors of each month's column total, 2 of each table over the period
    and 3 over everything, counted from trend_presence (one row per person, month and table)."""
    C, P = TrendCell, TrendPresence
    none = null()
    pres = (select(P.month, P.tbl, P.pseudonym).where(P.group_id == group_id, P.month.in_(months))
            .subquery("pres"))
    known = pres.c.tbl != ""
    tab = select(pres.c.tbl, pres.c.pseudonym).where(known).group_by(pres.c.tbl, pres.c.pseudonym).subquery("tab")
    anyone = select(pres.c.pseudonym).group_by(pres.c.pseudonym).subquery("anyone")
    return union_all(
        select(literal_column("0"), C.month, C.tbl, C.cell, C.n, C.people)
        .where(C.group_id == group_id, C.month.in_(months), C.tbl != ""),
        select(literal_column("1"), pres.c.month, pres.c.tbl, none, none, func.count())
        .where(known).group_by(pres.c.month, pres.c.tbl),
        select(literal_column("2"), none, tab.c.tbl, none, none, func.count()).group_by(tab.c.tbl),
        select(literal_column("3"), none, none, none, none, func.count()).select_from(anyone))


def aggregates(group_id: str, months: list[str]) -> Aggregates:
    """Cell counts and distinct-contributor counts for a group, in one statement over the counts
    kept on write (domain/trends/rollup.py). A million fact rows never reach Python, nor are they scanned."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Room for the hash tables (a year of a big group is ~100,000 (month, cell, person) rows);
        # the default 4 MB makes PostgreSQL spill to disk. Only for this transaction.
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
    agg = Aggregates({m: {} for m in months}, {m: {} for m in months}, {}, 0)
    for level, month, tbl, cell_row, n, count in db.session.execute(_counts_query(group_id, months)):
        if level == 0:
            agg.cells[month][(tbl, cell_row)] = (int(n), int(count))
        elif level == 1:
            agg.col_people[month][tbl] = int(count)
        elif level == 2:
            agg.table_people[tbl] = int(count)
        else:
            agg.people = int(count)
    return agg


def bucket_aggregates(group_id: str, buckets: dict[str, list[str]]) -> Aggregates:
    """`aggregates` for named buckets of months (quarters, terms, a year): each bucket counted as
    if it were one month, with its distinct contributors counted over the whole bucket."""
    R, P = TrendRollup, TrendPresence
    where = {m: b for b, months in buckets.items() for m in months}
    if not where:
        return Aggregates({}, {}, {}, 0)
    if all(months == [b] for b, months in buckets.items()):
        return aggregates(group_id, list(buckets))  # plain months: the counts kept on write answer
    bucket = case(*((R.month == m, b) for m, b in where.items()))
    pbucket = case(*((P.month == m, b) for m, b in where.items()))
    agg = Aggregates({b: {} for b in buckets}, {b: {} for b in buckets}, {}, 0)
    cells = (select(bucket, R.tbl, R.cell, func.sum(R.n), func.count(distinct(R.pseudonym)))
             .where(R.group_id == group_id, R.month.in_(list(where)), R.tbl != "")
             .group_by(bucket, R.tbl, R.cell))
    for b, tbl, cell_row, n, people in db.session.execute(cells):
        agg.cells[b][(tbl, cell_row)] = (int(n), int(people))
    scope = (P.group_id == group_id, P.month.in_(list(where)), P.tbl != "")
    for b, tbl, people in db.session.execute(select(pbucket, P.tbl, func.count(distinct(P.pseudonym)))
                                             .where(*scope).group_by(pbucket, P.tbl)):
        agg.col_people[b][tbl] = int(people)
    for tbl, people in db.session.execute(select(P.tbl, func.count(distinct(P.pseudonym))).where(*scope)
                                          .group_by(P.tbl)):
        agg.table_people[tbl] = int(people)
    agg.people = int(db.session.scalar(select(func.count(distinct(P.pseudonym))).where(*scope)) or 0)
    return agg

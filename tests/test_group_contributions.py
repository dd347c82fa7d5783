"""Group contributions: trend fact storage (domain/groups/contributions.py): consent backfills, the journal hook keeps facts current
(create, edit, draft, delete; processes too), withdraw and removal delete them, one group never sees
another's, and the database's aggregation equals the pure in-memory one."""
from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from domain.core.db import db, new_id, utcnow
from domain.core.models import GroupMember, TrendFact, User
from domain.groups import contributions as trend_store
from domain.groups import membership as groups
from domain.journal import entries as journal
from domain.journal import processes
from domain.trends import facts as trend_facts
from domain.trends import group_tables, suppression
from tests.test_groups_http import BM, CT, ED, HS, entry, make_user, month, month_day, summary


def _secret() -> bytes:
    from blueprints import guards
    return guards.server_secret()


def _user(uid: str) -> User:
    return db.session.get(User, uid)


def _group(lead_uid: str, lead_key: bytes, name: str = "Group", k: int = 5) -> str:
    g = groups.create(_user(lead_uid), lead_key, name, k, _secret())
    db.session.flush()
    return g.id


def _join(gid: str, lead_uid: str, lead_key: bytes, uid: str, key: bytes) -> groups.Membership:
    lead = groups.membership(_user(lead_uid), lead_key, gid)
    _inv, token = groups.invite(lead, False, 3)
    db.session.flush()
    groups.join(token, _user(uid), key, _secret())
    db.session.flush()
    return groups.membership(_user(uid), key, gid)


def _sources(uid: str, key: bytes):
    entries = [(i.row.id, i.data, i.row.created_at.date()) for i in journal.all_items(uid, key) if not i.is_draft]
    procs = [(p.row.id, p.data, month(0)) for p in processes.all_items(uid, key)]
    return entries, procs


def _rows(gid: str | None = None) -> list[TrendFact]:
    q = select(TrendFact)
    return list(db.session.scalars(q.where(TrendFact.group_id == gid) if gid else q))


def _save(uid: str, key: bytes, spec: dict):
    row = journal.create(_user(uid), key, journal.clean(dict(spec["data"]), set(), spec["draft"]))
    db.session.flush()
    return row


def test_entry_fact_takes_only_what_trends_need():
    data = {"kind": CT, "visit_date": "2025-03-04", "themes": ["therapist_feelings"], "intensity": "7",
            "subthemes": ["therapist_feelings.own_history"], "feelings": ["anger"], "supervision": "yes",
            "trigger": "secret text", "tags": ["secret tag"], "process_id": "p1"}
    f = trend_store.entry_fact(data, date(2026, 1, 1))
    assert f == trend_facts.EntryFact(date(2025, 3, 4), CT, ("therapist_feelings",), ("therapist_feelings.own_history",),
                                 7, ("anger",), "yes", "p1")
    # no visit date: the day it was written; no intensity: None
    f = trend_store.entry_fact({"kind": BM}, date(2026, 1, 9))
    assert f.day == date(2026, 1, 9) and f.intensity is None and f.supervision == "no"


def test_fact_rows_hold_no_text_no_time_no_account(ctx):
    cols = {c["name"] for c in inspect(db.engine).get_columns("trend_facts")}
    assert cols == {"id", "group_id", "pseudonym", "entry_tag", "month", "kind", "theme", "subtheme", "band",
                    "outcome"}


def test_consent_backfills_and_the_hook_keeps_facts_current(ctx):
    lead_uid, lead_key = make_user(ctx, "lead")
    uid, key = make_user(ctx, "member", entries=[entry(HS, 0, themes=["coercive_context"]),
                                                 entry(BM, 2), entry(ED, 0, draft=True)],
                         procs=[{"code": "MM-1", "status": "ended_early"}])
    gid = _group(lead_uid, lead_key)
    ms = _join(gid, lead_uid, lead_key, uid, key)
    assert not ms.contributing and _rows() == []
    n = trend_store.consent(ms, key, *_sources(uid, key))
    assert n == 4 and len(_rows(gid)) == 4
    pseud = groups.pseudonym(key, gid)
    assert {f.pseudonym for f in _rows()} == {pseud}
    assert groups.membership(_user(uid), key, gid).contributing
    assert "refreshed_at" in groups.membership(_user(uid), key, gid).state
    # consenting again replaces; it never doubles
    assert trend_store.consent(groups.membership(_user(uid), key, gid), key, *_sources(uid, key)) == 4
    assert len(_rows(gid)) == 4

    # create
    row = _save(uid, key, entry(CT, 1, intensity=2, subthemes=["therapist_feelings.own_history"]))
    assert (month(1), CT, None, None, "0-2", None) in summary(_rows(gid)) and len(_rows(gid)) == 8
    # edit: new band and subtheme, the old ones gone
    data = journal.read(row, key)
    data.update(intensity=9, subthemes=["therapist_feelings.nothing_moves"])
    journal.update(row, key, journal.clean(data, set(), False))
    db.session.flush()
    got = summary(_rows(gid))
    assert (month(1), CT, None, None, "9-10", None) in got and (month(1), CT, None, None, "0-2", None) not in got
    assert (month(1), CT, None, "therapist_feelings.nothing_moves", None, None) in got
    assert (month(1), CT, None, "therapist_feelings.own_history", None, None) not in got
    assert len(_rows(gid)) == 8
    # back to a draft: its facts leave
    journal.update(row, key, journal.clean(data, set(), True))
    db.session.flush()
    assert len(_rows(gid)) == 4
    journal.update(row, key, journal.clean(data, set(), False))
    db.session.flush()
    assert len(_rows(gid)) == 8
    # delete
    journal.delete(row, key)
    db.session.flush()
    assert len(_rows(gid)) == 4 and all(f.kind != CT for f in _rows(gid))

    # processes: ended early -> reopened removes the outcome fact; a report adds its own; deleting a
    # process removes them (outcomes are the new-shape fields, domain/catalogue/outcomes.py)
    (proc,) = processes.all_items(uid, key)
    assert proc.data.get("ended") == "early"                     # the legacy status was upgraded on save
    processes.update(proc.row, key, dict(proc.data, ended="", ended_on=""))
    db.session.flush()
    assert all(f.outcome is None for f in _rows(gid)) and len(_rows(gid)) == 3
    (proc,) = processes.all_items(uid, key)
    processes.update(proc.row, key, dict(proc.data, reported="yes", reported_on=""))
    db.session.flush()
    got = summary(_rows(gid))
    assert (month(0), "process", None, None, None, "reported") in got and len(_rows(gid)) == 4
    assert all(f.outcome in (None, "reported") for f in _rows(gid))
    processes.delete(proc.row, journal.all_items(uid, key), key)
    db.session.flush()
    assert len(_rows(gid)) == 3


def test_withdraw_removal_and_other_groups(ctx):
    lead_uid, lead_key = make_user(ctx, "lead")
    uid, key = make_user(ctx, "member", entries=[entry(HS, 0), entry(BM, 1, themes=["positive_moments"])])
    other_uid, other_key = make_user(ctx, "other", entries=[entry(HS, 0)])
    g1, g2 = _group(lead_uid, lead_key, "One"), _group(lead_uid, lead_key, "Two")
    ms1 = _join(g1, lead_uid, lead_key, uid, key)
    ms2 = _join(g2, lead_uid, lead_key, uid, key)
    trend_store.consent(ms1, key, *_sources(uid, key))
    assert len(_rows(g1)) == 3 and _rows(g2) == []          # consenting to one group is not to the other
    # the pseudonyms of one person differ per group
    trend_store.consent(ms2, key, *_sources(uid, key))
    assert {f.pseudonym for f in _rows(g1)}.isdisjoint({f.pseudonym for f in _rows(g2)})
    ms_other = _join(g1, lead_uid, lead_key, other_uid, other_key)
    trend_store.consent(ms_other, other_key, *_sources(other_uid, other_key))
    assert len(_rows(g1)) == 4

    # a new entry lands in both groups the member contributes to
    _save(uid, key, entry(ED, 0))
    assert len(_rows(g1)) == 5 and len(_rows(g2)) == 4

    # withdraw from group one: only that member's facts in that group go, all of them
    assert trend_store.withdraw(groups.membership(_user(uid), key, g1), key) == 4
    assert len(_rows(g1)) == 1 and len(_rows(g2)) == 4
    assert not groups.membership(_user(uid), key, g1).contributing
    _save(uid, key, entry(BM, 0))                           # no longer counted in group one
    assert len(_rows(g1)) == 1 and len(_rows(g2)) == 5

    # the lead removes the member from group two: their facts go with them (server-side purge)
    lead2 = groups.membership(_user(lead_uid), lead_key, g2)
    mid = db.session.scalar(select(GroupMember.id).where(GroupMember.group_id == g2, GroupMember.user_id == uid))
    groups.remove(lead2, mid, _secret())
    db.session.flush()
    assert _rows(g2) == [] and len(_rows(g1)) == 1
    _save(uid, key, entry(BM, 0))
    assert _rows(g2) == []


def test_purge_by_the_server_finds_exactly_the_members_pseudonym(ctx):
    lead_uid, lead_key = make_user(ctx, "lead")
    uid, key = make_user(ctx, "member", entries=[entry(HS, 0)])
    gid = _group(lead_uid, lead_key)
    ms = _join(gid, lead_uid, lead_key, uid, key)
    trend_store.consent(ms, key, *_sources(uid, key))
    lead_ms = groups.membership(_user(lead_uid), lead_key, gid)
    trend_store.consent(lead_ms, lead_key, [], [])
    assert groups.purge_facts(gid, ms.member, _secret()) == 1
    assert _rows(gid) == []


# --- database aggregation == pure aggregation ------------------------------------------------------

def _random_facts(rng: random.Random, months: list[str], people: int, n: int) -> list[trend_facts.GroupFact]:
    from domain.catalogue.themes import THEMES
    out = []
    for _ in range(n):
        who = f"p{rng.randrange(people):02d}"
        m = rng.choice(months)
        kind = rng.choice(trend_facts.KINDS)
        theme = rng.choice(THEMES)
        pick = rng.randrange(5)
        if pick == 0:
            out.append(trend_facts.GroupFact(who, m, kind))
        elif pick == 1:
            out.append(trend_facts.GroupFact(who, m, kind, theme=theme.id))
        elif pick == 2:
            out.append(trend_facts.GroupFact(who, m, kind, subtheme=rng.choice(theme.subthemes).id))
        elif pick == 3:
            out.append(trend_facts.GroupFact(who, m, CT, intensity_band=rng.choice(trend_facts.BANDS)))
        else:
            out.append(trend_facts.GroupFact(who, m, "process", outcome=rng.choice(trend_facts.OUTCOMES)))
    return out


def _store(gid: str, fs: list[trend_facts.GroupFact]) -> None:
    from domain.trends import rollup as trend_rollup
    rows = [TrendFact(id=new_id(), group_id=gid, pseudonym=f.contributor, entry_tag=new_id(),
                      month=f.month, kind=f.kind, theme=f.theme, subtheme=f.subtheme,
                      band=f.intensity_band, outcome=f.outcome) for f in fs]
    db.session.add_all(rows)
    trend_rollup.added(gid, rows)      # as every writer of facts does
    db.session.flush()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_database_aggregates_equal_the_pure_ones(ctx, seed):
    from blueprints.trends import SUBTHEME_ORDER, THEME_ORDER
    from domain.catalogue.entry_kinds import KIND_IDS
    rng = random.Random(seed)
    lead_uid, lead_key = make_user(ctx, f"lead{seed}")
    gid, other = _group(lead_uid, lead_key, "A"), _group(lead_uid, lead_key, "B")
    months = trend_facts.months_back(utcnow().date(), 6, None)
    outside = trend_facts.months_back(month_day(7), 3, None)
    fs = _random_facts(rng, months, people=rng.randint(3, 12), n=rng.randint(50, 400))
    _store(gid, fs + _random_facts(rng, outside, 5, 60))     # months outside the period don't count
    _store(other, _random_facts(rng, months, 9, 200))        # nor do other groups
    for period in (months, months[-3:], months[2:3]):
        pure = group_tables.aggregate(fs, period)
        got = trend_store.aggregates(gid, period)
        assert got.people == pure.people and got.table_people == {t: pure.table_people[t] for t in got.table_people}
        assert all(pure.table_people[t] == 0 for t in pure.table_people if t not in got.table_people)
        for m in period:
            assert got.cells[m] == pure.cells[m], m
            assert {t: v for t, v in got.col_people[m].items() if v} == \
                {t: v for t, v in pure.col_people[m].items() if v}, m
        orders = {"kind_order": list(KIND_IDS), "theme_order": THEME_ORDER, "subtheme_order": SUBTHEME_ORDER}
        for k in (3, 5, 7):
            assert group_tables.trends_from_aggregates(got, period, k, **orders) == \
                group_tables.group_trends(fs, period, k, **orders)


def test_aggregates_of_an_empty_group(ctx):
    lead_uid, lead_key = make_user(ctx, "lead")
    gid = _group(lead_uid, lead_key)
    months = trend_facts.months_back(utcnow().date(), 3, None)
    agg = trend_store.aggregates(gid, months)
    assert agg.people == 0 and all(agg.cells[m] == {} for m in months)
    gt = group_tables.trends_from_aggregates(agg, months, 5)
    assert gt.contributors == 0 and gt.kinds.total == suppression.Cell(0)
    assert db.session.scalar(select(func.count()).select_from(TrendFact)) == 0


def _rollup_is_a_fresh_count() -> None:
    """The roll-up kept on write equals counting trend_facts from scratch, and its year masks
    equal folding the roll-up's months."""
    from sqlalchemy import text

    from domain.core.models import TrendCell, TrendCellMask, TrendPresence, TrendPresenceMask, TrendRollup
    from domain.trends import rollup
    fresh = sorted(tuple(r) for r in db.session.execute(text(rollup.FRESH_COUNT_SQL)))
    kept = sorted((r.group_id, r.month, r.tbl, r.cell, r.pseudonym, r.n) for r in db.session.scalars(select(TrendRollup)))
    assert kept == fresh
    fresh = sorted(tuple(r) for r in db.session.execute(text(rollup.FRESH_CELLS_SQL)))
    assert sorted((r.group_id, r.month, r.tbl, r.cell, r.n, r.people) for r in db.session.scalars(select(TrendCell))) == fresh
    fresh = sorted(tuple(r) for r in db.session.execute(text(rollup.FRESH_PRESENCE_SQL)))
    assert sorted((r.group_id, r.month, r.tbl, r.pseudonym, r.cells)
                  for r in db.session.scalars(select(TrendPresence))) == fresh
    fresh = sorted(tuple(r) for r in db.session.execute(text(rollup.FRESH_CELL_MASKS_SQL)))
    assert sorted((r.group_id, r.year, r.tbl, r.cell, r.pseudonym, r.months)
                  for r in db.session.scalars(select(TrendCellMask))) == fresh
    fresh = sorted(tuple(r) for r in db.session.execute(text(rollup.FRESH_PRESENCE_MASKS_SQL)))
    assert sorted((r.group_id, r.year, r.tbl, r.pseudonym, r.months)
                  for r in db.session.scalars(select(TrendPresenceMask))) == fresh


def test_the_rollup_follows_every_write(ctx):
    lead_uid, lead_key = make_user(ctx, "lead")
    uid, key = make_user(ctx, "member", entries=[entry(HS, 0, themes=["coercive_context"]), entry(BM, 2)],
                         procs=[{"code": "MM-1", "status": "ended_early"}])
    gid = _group(lead_uid, lead_key)
    ms = _join(gid, lead_uid, lead_key, uid, key)
    trend_store.consent(ms, key, *_sources(uid, key))
    _rollup_is_a_fresh_count()
    row = _save(uid, key, entry(CT, 1, intensity=2, subthemes=["therapist_feelings.own_history"]))
    _rollup_is_a_fresh_count()
    data = journal.read(row, key)
    data.update(intensity=9)
    journal.update(row, key, journal.clean(data, set(), False))
    db.session.flush()
    _rollup_is_a_fresh_count()
    journal.delete(row, key)
    (proc,) = processes.all_items(uid, key)
    processes.update(proc.row, key, dict(proc.data, status="ongoing"))
    db.session.flush()
    _rollup_is_a_fresh_count()
    trend_store.withdraw(groups.membership(_user(uid), key, gid), key)
    db.session.flush()
    _rollup_is_a_fresh_count()
    trend_store.consent(groups.membership(_user(uid), key, gid), key, *_sources(uid, key))
    member = db.session.scalar(select(GroupMember).where(GroupMember.user_id == uid))
    groups.purge_facts(gid, member, _secret())
    db.session.flush()
    _rollup_is_a_fresh_count()

"""Group trend facts counted per (group, month, cell, pseudonym), maintained on every write of
trend_facts, so the group view counts from a few thousand roll-up rows instead of scanning every
fact row of the period. The classification is trends._classify, so the counts, the
k-anonymity rule and complementary suppression downstream are exactly what they were."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain import trends
from domain.db import db
from domain.models import TrendFact, TrendRollup

# The roll-up counted from scratch (the migration backfills with the same query; tests compare).
FRESH_COUNT_SQL = """
SELECT group_id, month,
       CASE WHEN outcome IS NOT NULL THEN 'outcomes' WHEN band IS NOT NULL THEN 'intensity'
            WHEN theme IS NOT NULL THEN 'themes' WHEN subtheme IS NOT NULL THEN 'subthemes'
            WHEN kind <> 'process' THEN 'kinds' ELSE '' END,
       COALESCE(outcome, band, theme, subtheme, kind), pseudonym, COUNT(*)
FROM trend_facts GROUP BY 1, 2, 3, 4, 5
"""

_Key = tuple[str, str, str, str]   # month, table ("" outside the tables), cell, pseudonym


def key_of(pseudonym: str, month: str, kind: str, theme, subtheme, band, outcome) -> _Key:
    found = trends._classify(trends.GroupFact(pseudonym, month, kind, theme, subtheme, band, outcome))
    tbl, cell = found if found is not None else ("", kind)
    return month, tbl, cell, pseudonym


def added(group_id: str, rows: Iterable[TrendFact]) -> None:
    _apply(group_id, Counter(key_of(r.pseudonym, r.month, r.kind, r.theme, r.subtheme, r.band, r.outcome)
                             for r in rows))


def removing_tag(group_id: str, tag: str) -> None:
    """Call before deleting the facts of one object (its entry tag): their counts go first."""
    gone = db.session.execute(select(TrendFact.pseudonym, TrendFact.month, TrendFact.kind, TrendFact.theme,
                                     TrendFact.subtheme, TrendFact.band, TrendFact.outcome)
                              .where(TrendFact.group_id == group_id, TrendFact.entry_tag == tag)).all()
    _apply(group_id, Counter({k: -n for k, n in Counter(key_of(*g) for g in gone).items()}))


def removed_pseudonym(group_id: str, pseudonym: str) -> None:
    db.session.execute(delete(TrendRollup).where(TrendRollup.group_id == group_id,
                                                 TrendRollup.pseudonym == pseudonym))


def _apply(group_id: str, counts: Counter) -> None:
    if not counts:
        return
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(TrendRollup)
    stmt = ins.on_conflict_do_update(index_elements=["group_id", "month", "tbl", "cell", "pseudonym"],
                                     set_={"n": TrendRollup.n + ins.excluded.n})
    db.session.execute(stmt, [{"group_id": group_id, "month": m, "tbl": t, "cell": c, "pseudonym": p, "n": n}
                              for (m, t, c, p), n in counts.items()])
    if any(n < 0 for n in counts.values()):
        db.session.execute(delete(TrendRollup).where(TrendRollup.group_id == group_id, TrendRollup.n <= 0))

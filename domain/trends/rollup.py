"""Group trend facts counted on every write of trend_facts, so the group view reads a few
thousand rows instead of scanning every fact row of the period:

- trend_rollup: per (group, month, table, cell, pseudonym) the number of facts;
- trend_cells: per (group, month, table, cell) the number of facts and of distinct pseudonyms;
- trend_presence: per (group, month, table, pseudonym) in how many cells that person has facts;
- trend_cell_masks / trend_presence_masks: per year, the months of the two above as a 12-bit mask
  (bit 0 = January), so a year's distinct counts read one row per person and cell, not twelve.

The classification is facts.classify, so the counts, the k-anonymity rule and complementary
suppression downstream are exactly what they were."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.core.db import db
from domain.core.models import (
    TrendCell,
    TrendCellMask,
    TrendFact,
    TrendPresence,
    TrendPresenceMask,
    TrendRollup,
)
from domain.trends.facts import GroupFact, classify

# The roll-up counted from scratch (the migration backfills with the same query; tests compare).
FRESH_COUNT_SQL = """
SELECT group_id, month,
       CASE WHEN kind = 'support' THEN 'supports' WHEN outcome IS NOT NULL THEN 'outcomes' WHEN band IS NOT NULL THEN 'intensity'
            WHEN theme IS NOT NULL THEN 'themes' WHEN subtheme IS NOT NULL THEN 'subthemes'
            WHEN kind <> 'process' THEN 'kinds' ELSE '' END,
       COALESCE(outcome, band, theme, subtheme, kind), pseudonym, COUNT(*)
FROM trend_facts GROUP BY 1, 2, 3, 4, 5
"""
FRESH_CELLS_SQL = "SELECT group_id, month, tbl, cell, SUM(n), COUNT(*) FROM trend_rollup GROUP BY 1, 2, 3, 4"
FRESH_PRESENCE_SQL = "SELECT group_id, month, tbl, pseudonym, COUNT(*) FROM trend_rollup GROUP BY 1, 2, 3, 4"
# The year masks folded afresh from the roll-up: each month sets its bit (bit 0 = January).
_YEAR_BITS = ("CAST(substr(month, 1, 4) AS INTEGER), {cols}, "
              "SUM(1 << (CAST(substr(month, 6, 2) AS INTEGER) - 1))")
FRESH_CELL_MASKS_SQL = ("SELECT group_id, " + _YEAR_BITS.format(cols="tbl, cell, pseudonym")
                        + " FROM trend_rollup GROUP BY 1, 2, 3, 4, 5")
FRESH_PRESENCE_MASKS_SQL = ("SELECT group_id, " + _YEAR_BITS.format(cols="tbl, pseudonym")
                            + " FROM trend_presence GROUP BY 1, 2, 3, 4")

_Key = tuple[str, str, str, str]   # month, table ("" outside the tables), cell, pseudonym


def key_of(pseudonym: str, month: str, kind: str, theme, subtheme, band, outcome) -> _Key:
    found = classify(GroupFact(pseudonym, month, kind, theme, subtheme, band, outcome))
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
    """Call when all of one person's facts in a group are deleted (withdraw, removal)."""
    theirs = db.session.execute(select(TrendRollup.month, TrendRollup.tbl, TrendRollup.cell, TrendRollup.n)
                                .where(TrendRollup.group_id == group_id, TrendRollup.pseudonym == pseudonym)).all()
    _apply(group_id, Counter({(m, t, c, pseudonym): -n for m, t, c, n in theirs}))


def _add(model, keys: dict, values: dict):
    """Add `values` to the row named by `keys` (created at zero) and return the new values. A row
    whose first value falls to zero is deleted by its key: no scan of the group's rows, so a
    write costs the same in a group of a million facts as in an empty one."""
    dialect = db.session.get_bind().dialect.name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(model).values(**keys, **values)
    stmt = ins.on_conflict_do_update(index_elements=list(keys),
                                     set_={k: getattr(model, k) + getattr(ins.excluded, k) for k in values})
    new = db.session.execute(stmt.returning(*(getattr(model, k) for k in values))).one()
    if new[0] <= 0:
        db.session.execute(delete(model).where(*(getattr(model, k) == v for k, v in keys.items())))
    return new


def _apply(group_id: str, counts: Counter) -> None:
    """Apply count changes per (month, table, cell, pseudonym). A person's count in a cell going
    from zero to positive (or back) changes the cell's distinct people, the person's presence
    and the month's bit in the year masks."""
    if not counts:
        return
    db.session.flush()
    for (m, t, c, p), delta in counts.items():
        if not delta:
            continue
        (n,) = _add(TrendRollup, {"group_id": group_id, "month": m, "tbl": t, "cell": c, "pseudonym": p},
                    {"n": delta})
        joined = int(n > 0) - int(n - delta > 0)          # +1: first fact here, -1: last one gone
        _add(TrendCell, {"group_id": group_id, "month": m, "tbl": t, "cell": c}, {"n": delta, "people": joined})
        if joined:
            # The bit goes in only at 0 -> positive and out only at positive -> 0, so adding
            # +-bit keeps the mask exact (the same bookkeeping as `people`).
            year, bit = int(m[:4]), joined << (int(m[5:7]) - 1)
            _add(TrendCellMask, {"group_id": group_id, "year": year, "tbl": t, "cell": c, "pseudonym": p},
                 {"months": bit})
            (cells,) = _add(TrendPresence, {"group_id": group_id, "month": m, "tbl": t, "pseudonym": p},
                            {"cells": joined})
            if cells == int(joined > 0):                  # present in the table from now on, or no longer
                _add(TrendPresenceMask, {"group_id": group_id, "year": year, "tbl": t, "pseudonym": p},
                     {"months": bit})

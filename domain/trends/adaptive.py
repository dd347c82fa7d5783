"""Adaptive detail for group tables: as fine as the group's size allows, and never two grains of
the same data.

How (the statistical offices' order: coarsen first, suppress what is still too small):
1. Every year is cut into fixed blocks (domain/trends/periods.py): year, terms, quarters, months.
   Each block is solved on its own as one column (domain/trends/suppression.py), from its own
   facts, k and the fixed row orders only.
2. Per table, the year is split into its terms, a term into quarters, a quarter into months,
   only when *every* child block shows every cell of that table (nothing "<k", nothing hidden).
   Kinds and intensity are split together: the intensity total equals the countertransference
   cell, so they must be cut the same way.
3. Whatever period a lead asks for, a table shows the blocks of that one partition that overlap
   it. So every number a lead can obtain for a table is a cell of one fixed set of disjoint
   blocks: a coarse cell is only ever released when its finer cells are not, and a split block's
   cells are sums of cells that are all shown. Differencing two periods, two grains or two
   tables gives nothing that is not already shown (tests/test_seminar_audit.py tries).

4. Categories are coarsened before time: a theme whose subthemes cannot all be shown in both
   terms has its subthemes counted together in one row of the subtheme table ("<theme>.*") for
   the whole year, at every grain. Merging is decided on the terms and repeated until no shown
   subtheme is hidden any more (merging one theme can free another's complement). A theme is
   either split or merged for the whole year, so no merged row is ever released beside the
   subthemes it sums. The themes table counts theme tags, other facts, and is not touched.

No I/O, no Flask, no database: counts come from a function that aggregates named buckets of
months, with some themes' subthemes merged (domain/groups/year_counts.py reads the database,
`counter` counts facts in memory).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from domain.trends.facts import (
    MERGED_SUFFIX,
    TABLES,
    GroupFact,
    merge_subtheme,
    ordered_rows,
    theme_of_subtheme,
)
from domain.trends.group_tables import Aggregates, GroupTable, GroupTrends, aggregate, trends_from_aggregates
from domain.trends.periods import LEVELS, Period, parse
from domain.trends.suppression import ZERO, Cell, cell_text, sum_cell

# Tables cut the same way (a relation between them would otherwise link two grains).
LINKED = (("kinds", "intensity"), ("themes",), ("subthemes",), ("outcomes",), ("supports",))

NONE: frozenset[str] = frozenset()


class BucketCounter(Protocol):
    def __call__(self, buckets: dict[str, list[str]], merged: frozenset[str] = NONE) -> Aggregates:
        """The counts of each bucket of months as if it were one month; the subthemes of the
        themes in `merged` counted in their theme's merged row."""
        ...


def bucket_aggregate(facts: Iterable[GroupFact], buckets: dict[str, list[str]],
                     merged: frozenset[str] = NONE) -> Aggregates:
    """In memory: the counts of each bucket of months as if it were one month."""
    where = {m: b for b, months in buckets.items() for m in months}
    return aggregate((replace(f, month=where[f.month],
                              subtheme=merge_subtheme(f.subtheme, merged) if f.subtheme and merged else f.subtheme)
                      for f in facts if f.month in where), list(buckets))


def counter(facts: Iterable[GroupFact]) -> BucketCounter:
    """A BucketCounter over facts held in memory."""
    kept = list(facts)
    return lambda buckets, merged=NONE: bucket_aggregate(kept, buckets, merged)


@dataclass
class Release:
    """Everything a lead can obtain for one year of one group, at one k."""
    year: int
    k: int
    solved: dict[str, GroupTrends]  # level -> tables whose columns are that level's blocks
    partition: dict[str, list[Period]]  # table -> the blocks it is released in
    merged: frozenset[str] = NONE  # themes whose subthemes are counted together this year

    def blocks(self, table: str, period: Period) -> list[Period]:
        """The released blocks of a table that overlap a period (they nest: one contains the other)."""
        return [b for b in self.partition[table] if b.contains(period) or period.contains(b)]


def _clear(block: Period, tables: Sequence[str], solved: dict[str, GroupTrends]) -> bool:
    gt = solved[block.level]
    for name in tables:
        t: GroupTable = getattr(gt, name)
        if t.col_totals[block.id].suppressed or any(t.cell(r, block.id).suppressed for r in t.rows):
            return False
    return True


def _split(block: Period, tables: Sequence[str], solved: dict[str, GroupTrends]) -> list[Period]:
    kids = block.children()
    if kids and all(_clear(c, tables, solved) for c in kids):
        return [b for c in kids for b in _split(c, tables, solved)]
    return [block]


def _solve(by_level: dict[str, list[Period]], count: BucketCounter, k: int, orders: dict,
           merged: frozenset[str]) -> dict[str, GroupTrends]:
    out = {}
    for level, blocks in by_level.items():
        buckets = {b.id: b.months() for b in blocks}
        agg = count(buckets, merged) if merged else count(buckets)
        out[level] = trends_from_aggregates(agg, list(buckets), k, **orders)
    return out


def _hidden_themes(roots: list[Period], terms: GroupTrends) -> set[str]:
    """Themes with a subtheme (not yet merged) that a term does not show."""
    t = terms.subthemes
    return {theme_of_subtheme(r) for r in t.rows if not r.endswith(MERGED_SUFFIX)
            and any(t.cell(r, b.id).suppressed for b in roots)}


def _merge(roots, by_level, count, k, orders, solved) -> tuple[dict[str, GroupTrends], frozenset[str]]:
    """Merge subthemes into their themes until every subtheme row left is shown in both terms."""
    merged = NONE
    while not (more := _hidden_themes(roots, solved["term"])) <= merged:
        merged = merged | more
        order = orders.get("subtheme_order")
        fewer = dict(orders, subtheme_order=[merge_subtheme(s, merged) for s in order] if order else None)
        again = _solve(by_level, count, k, fewer, merged)
        solved = {lv: replace(gt, subthemes=again[lv].subthemes) for lv, gt in solved.items()}
    return solved, merged


def release(year: int, count: BucketCounter, k: int, **orders: Sequence[str] | None) -> Release:
    """Solve every block of the year at every level, merge subthemes where the group is too
    small for them, and choose each table's partition.

    The coarsest block released is a term (half-year), the usual stretch a seminar looks back
    on: a year view shows its two terms, and no year-wide cell is ever released beside them."""
    roots = Period(year, "year", 1).children()
    by_level: dict[str, list[Period]] = {"term": roots}
    for finer, coarser in zip(LEVELS[2:], LEVELS[1:], strict=False):
        by_level[finer] = [c for b in by_level[coarser] for c in b.children()]
    solved, merged = _merge(roots, by_level, count, k, orders, _solve(by_level, count, k, orders, NONE))
    partition = {}
    for tables in LINKED:
        blocks = [b for root in roots for b in _split(root, tables, solved)]
        partition.update(dict.fromkeys(tables, blocks))
    return Release(year, k, solved, partition, merged)


@dataclass
class View:
    """One period as a lead sees it: per table the released blocks overlapping it."""
    period: Period
    k: int
    tables: dict[str, GroupTable]  # columns are block ids
    grains: dict[str, tuple[str, ...]]  # table -> the levels of its columns, coarse to fine
    contributors: int
    merged: frozenset[str] = NONE  # themes whose subthemes are counted together

    def ordered(self) -> list[GroupTable]:
        return [self.tables[t] for t in TABLES]

    def within(self, table: str) -> bool:
        """True when every column of the table lies inside the period (so its total is the period's)."""
        return all(self.period.contains(_block(c)) for c in self.tables[table].months)


def _block(block_id: str) -> Period:
    found = parse(block_id)
    assert found is not None
    return found


def _table(rel: Release, name: str, blocks: list[Period], people: int) -> GroupTable:
    used = [getattr(rel.solved[b.level], name) for b in blocks]
    rows = ordered_rows(used[0].rows if used else [], (r for t in used for r in t.rows))
    cells: dict[tuple[str, str], Cell] = {}
    for b, t in zip(blocks, used, strict=True):
        for r in rows:
            cells[(r, b.id)] = t.cell(r, b.id) if r in t.rows else ZERO
    cols = {b.id: t.col_totals[b.id] for b, t in zip(blocks, used, strict=True)}
    ids = [b.id for b in blocks]
    return GroupTable(name=name, rows=rows, months=ids, cells=cells, col_totals=cols,
                      row_totals={r: sum_cell(cells[(r, m)] for m in ids) for r in rows},
                      total=sum_cell(cols.values()), contributors=people)


def view(rel: Release, period: Period, people: Aggregates) -> View:
    """The period's tables from a release of its year; `people` counts contributors over the
    period (one bucket), a number and never who."""
    tables, grains = {}, {}
    for name in TABLES:
        blocks = rel.blocks(name, period)
        tables[name] = _table(rel, name, blocks, people.table_people.get(name, 0))
        grains[name] = tuple(lv for lv in LEVELS if any(b.level == lv for b in blocks))
    return View(period, rel.k, tables, grains, people.people, rel.merged)


def csv_rows(v: View, labels: Callable[[str], str]) -> list[list[str]]:
    """The released tables of a view, each under its own header (tables may have different
    columns); block ids ("2026-Q4") stay data. `labels` as for group_tables.to_csv_rows."""
    hidden, out = labels("hidden"), []
    for t in v.ordered():
        name = _csv(labels(t.name))
        out.append([_csv(labels("table")), _csv(labels("row")), *t.months, _csv(labels("total"))])
        for r in t.rows:
            out.append([name, _csv(labels(r)), *_texts([*(t.cell(r, m) for m in t.months), t.row_totals[r]],
                                                         v.k, hidden)])
        out.append([name, _csv(labels("total")), *_texts([*t.col_totals.values(), t.total], v.k, hidden)])
        people = str(t.contributors) if t.contributors == 0 or t.contributors >= v.k else f"<{v.k}"
        out.append([name, _csv(labels("contributors")), *("" for _ in t.months), people])
    return out


def _texts(cells: list[Cell], k: int, hidden: str) -> list[str]:
    return [cell_text(c, k, hidden) for c in cells]


def _csv(text: str) -> str:
    """Keep spreadsheet programs from reading a label as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

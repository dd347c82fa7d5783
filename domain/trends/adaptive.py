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

No I/O, no Flask, no database: counts come from a function that aggregates named buckets of
months (the database in domain/groups/contributions.py, or `bucket_aggregate` in memory).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from domain.trends.facts import TABLES, GroupFact, ordered_rows
from domain.trends.group_tables import Aggregates, GroupTable, GroupTrends, aggregate, trends_from_aggregates
from domain.trends.periods import LEVELS, Period, parse
from domain.trends.suppression import ZERO, Cell, cell_text, sum_cell

# Tables cut the same way (a relation between them would otherwise link two grains).
LINKED = (("kinds", "intensity"), ("themes",), ("subthemes",), ("outcomes",), ("supports",))

BucketCounter = Callable[[dict[str, list[str]]], Aggregates]


def bucket_aggregate(facts: Iterable[GroupFact], buckets: dict[str, list[str]]) -> Aggregates:
    """In memory: the counts of each bucket of months as if it were one month."""
    where = {m: b for b, months in buckets.items() for m in months}
    return aggregate((replace(f, month=where[f.month]) for f in facts if f.month in where), list(buckets))


@dataclass
class Release:
    """Everything a lead can obtain for one year of one group, at one k."""
    year: int
    k: int
    solved: dict[str, GroupTrends]  # level -> tables whose columns are that level's blocks
    partition: dict[str, list[Period]]  # table -> the blocks it is released in

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


def release(year: int, count: BucketCounter, k: int, **orders: Sequence[str] | None) -> Release:
    """Solve every block of the year at every level and choose each table's partition.

    The coarsest block released is a term (half-year), the usual stretch a seminar looks back
    on: a year view shows its two terms, and no year-wide cell is ever released beside them."""
    roots = Period(year, "year", 1).children()
    by_level: dict[str, list[Period]] = {"term": roots}
    for finer, coarser in zip(LEVELS[2:], LEVELS[1:], strict=False):
        by_level[finer] = [c for b in by_level[coarser] for c in b.children()]
    solved = {}
    for level, blocks in by_level.items():
        buckets = {b.id: b.months() for b in blocks}
        solved[level] = trends_from_aggregates(count(buckets), list(buckets), k, **orders)
    partition = {}
    for tables in LINKED:
        blocks = [b for root in roots for b in _split(root, tables, solved)]
        partition.update(dict.fromkeys(tables, blocks))
    return Release(year, k, solved, partition)


@dataclass
class View:
    """One period as a lead sees it: per table the released blocks overlapping it."""
    period: Period
    k: int
    tables: dict[str, GroupTable]  # columns are block ids
    grains: dict[str, tuple[str, ...]]  # table -> the levels of its columns, coarse to fine
    contributors: int

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
    return View(period, rel.k, tables, grains, people.people)


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


def rows_counter(rows: list[tuple[str, str, str, str, int]]) -> BucketCounter:
    """A BucketCounter over ledger rows (month, table, cell, pseudonym, facts) read once."""
    def count(buckets: dict[str, list[str]]) -> Aggregates:
        where = {m: b for b, months in buckets.items() for m in months}
        cells: dict[str, dict] = {b: {} for b in buckets}
        people: dict[tuple[str, str, str], set[str]] = {}
        cols: dict[tuple[str, str], set[str]] = {}
        tables: dict[str, set[str]] = {}
        for month, tbl, cell, who, n in rows:
            b = where.get(month)
            if b is None:
                continue
            n0, _ = cells[b].get((tbl, cell), (0, 0))
            cells[b][(tbl, cell)] = (n0 + n, 0)
            people.setdefault((b, tbl, cell), set()).add(who)
            cols.setdefault((b, tbl), set()).add(who)
            tables.setdefault(tbl, set()).add(who)
        for (b, tbl, cell), who in people.items():
            cells[b][(tbl, cell)] = (cells[b][(tbl, cell)][0], len(who))
        col_people = {b: {t: len(cols.get((b, t), ())) for t in TABLES} for b in buckets}
        return Aggregates(cells, col_people, {t: len(w) for t, w in tables.items()},
                          len(set().union(*tables.values())) if tables else 0)
    return count

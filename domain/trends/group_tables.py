"""Group tables: the fact rows that opted-in members contributed under a per-group pseudonym,
counted per table, row and month, with the cells suppression allows (domain/trends/suppression.py)
and the same tables as CSV rows for a handout.

No I/O, no Flask, no database: counts come from `aggregate` (in memory) or from the database
(domain/groups/contributions.py) as `Aggregates`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from domain.core.refusal import N_
from domain.trends.facts import BANDS, OUTCOMES, TABLES, GroupFact, classify, ordered_rows
from domain.trends.suppression import (
    DEFAULT_K,
    MIN_K,
    TOTAL,
    ZERO,
    Cell,
    Raw,
    cell_text,
    solve_month,
    sum_cell,
)

# Table headings on the group page and the handout: English msgids, translated by the caller.
TABLE_TITLES = {"kinds": N_("Entry kinds"), "themes": N_("Themes"), "subthemes": N_("Subthemes"),
                "intensity": N_("Countertransference intensity"),
                "outcomes": N_("Process outcomes"), "supports": N_("What helped")}


@dataclass
class GroupTable:
    name: str
    rows: list[str]
    months: list[str]
    cells: dict[tuple[str, str], Cell]
    col_totals: dict[str, Cell]
    row_totals: dict[str, Cell]  # per row over the period; shown only if every month cell is
    total: Cell  # over the period; shown only if every column total is
    contributors: int  # distinct contributors in the period (a number, never who)

    def cell(self, row: str, month: str) -> Cell:
        return self.cells.get((row, month), ZERO)


@dataclass
class GroupTrends:
    months: list[str]
    k: int
    kinds: GroupTable
    themes: GroupTable
    subthemes: GroupTable
    intensity: GroupTable  # bands of countertransference intensity
    outcomes: GroupTable  # processes reported / ended early / ended as planned, counted apart
    supports: GroupTable  # what helped (hard sessions and countertransference)
    contributors: int

    def tables(self) -> list[GroupTable]:
        return [self.kinds, self.themes, self.subthemes, self.intensity, self.outcomes, self.supports]


@dataclass
class Aggregates:
    """Everything group_trends needs, already counted: per month the cells and, per table, the
    distinct contributors of its column total; per table and overall the distinct contributors
    in the period."""
    cells: dict[str, Raw]
    col_people: dict[str, dict[str, int]]
    table_people: dict[str, int]
    people: int


def aggregate(facts: Iterable[GroupFact], months: list[str]) -> Aggregates:
    counts: dict[str, Counter] = {m: Counter() for m in months}
    people: dict[str, dict[tuple[str, str], set[str]]] = {m: {} for m in months}
    by_table: dict[str, set[str]] = {t: set() for t in TABLES}
    for f in facts:
        where = classify(f)
        if where is None or f.month not in counts:
            continue
        counts[f.month][where] += 1
        people[f.month].setdefault(where, set()).add(f.contributor)
        by_table[where[0]].add(f.contributor)
    cells = {m: {key: (n, len(people[m][key])) for key, n in counts[m].items()} for m in months}
    col_people = {m: {t: len(set().union(*(p for (tt, _), p in people[m].items() if tt == t)))
                      for t in TABLES} for m in months}
    return Aggregates(cells, col_people, {t: len(v) for t, v in by_table.items()},
                      len(set().union(*by_table.values())))


def row_orders(
    *,
    kind_order: Sequence[str] | None = None,
    theme_order: Sequence[str] | None = None,
    subtheme_order: Sequence[str] | None = None,
    band_order: Sequence[str] | None = BANDS,
    outcome_order: Sequence[str] | None = OUTCOMES,
    support_order: Sequence[str] | None = None,
) -> dict[str, Sequence[str] | None]:
    """The caller's catalogue order per table (rows with no facts show zeros); ids not in an
    order are appended sorted. Bands and outcomes have their fixed order unless told."""
    return dict(zip(TABLES, (kind_order, theme_order, subtheme_order, band_order, outcome_order, support_order),
                    strict=True))


def _assemble(name: str, rows: list[str], months: list[str], solved: dict, contributors: int) -> GroupTable:
    cells = {(r, m): solved[m].get((name, r), ZERO) for r in rows for m in months}
    cols = {m: solved[m][(name, TOTAL)] for m in months}
    return GroupTable(
        name=name,
        rows=rows,
        months=list(months),
        cells=cells,
        col_totals=cols,
        row_totals={r: sum_cell(cells[(r, m)] for m in months) for r in rows},
        total=sum_cell(cols.values()),
        contributors=contributors,
    )


def group_trends(facts: Iterable[GroupFact], months: list[str], k: int = DEFAULT_K,
                 **orders: Sequence[str] | None) -> GroupTrends:
    """Group tables per month with k-anonymity and complementary suppression
    (domain/trends/suppression.py). `orders` are the keywords of `row_orders`."""
    months = list(dict.fromkeys(months))
    return trends_from_aggregates(aggregate(facts, months), months, k, **orders)


def trends_from_aggregates(agg: Aggregates, months: list[str], k: int = DEFAULT_K,
                           **orders: Sequence[str] | None) -> GroupTrends:
    """group_trends for counts that were aggregated elsewhere (e.g. by the database)."""
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    months = list(dict.fromkeys(months))
    order = row_orders(**orders)
    raw = {m: agg.cells.get(m, {}) for m in months}
    solved = {m: solve_month(raw[m], agg.col_people.get(m, {}), order, k) for m in months}
    occurring: dict[str, set[str]] = {t: set() for t in TABLES}
    for m in months:
        for t, r in raw[m]:
            occurring[t].add(r)
    tables = {t: _assemble(t, ordered_rows(order[t], occurring[t]), months, solved, agg.table_people.get(t, 0))
              for t in TABLES}
    return GroupTrends(months=months, k=k, contributors=agg.people, **tables)


def _csv_text(text: str) -> str:
    """Keep spreadsheet programs from reading a label as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv_rows(gt: GroupTrends, labels: Callable[[str], str]) -> list[list[str]]:
    """The same suppressed tables as rows for a CSV writer: "<k" where fewer than k
    contributors stand behind a cell, labels("hidden") where a cell is hidden to protect another.
    `labels` maps ids, table names and the words "table", "row", "total", "contributors" and
    "hidden" to display text in the reader's language; months stay "YYYY-MM" (data). No
    contributor ids ever appear."""
    hidden = labels("hidden")

    def cells(values: Iterable[Cell]) -> list[str]:
        return [cell_text(c, gt.k, hidden) for c in values]
    out = [[_csv_text(labels("table")), _csv_text(labels("row")), *gt.months, _csv_text(labels("total"))]]
    for t in gt.tables():
        name = _csv_text(labels(t.name))
        for r in t.rows:
            out.append([name, _csv_text(labels(r)), *cells([*(t.cell(r, m) for m in t.months), t.row_totals[r]])])
        out.append([name, _csv_text(labels("total")), *cells([*(t.col_totals[m] for m in t.months), t.total])])
        # Fewer than k people behind a whole table is itself a small cell ("one colleague reported").
        people = str(t.contributors) if t.contributors == 0 or t.contributors >= gt.k else f"<{gt.k}"
        out.append([name, _csv_text(labels("contributors")), *("" for _ in t.months), people])
    return out

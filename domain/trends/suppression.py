"""Suppression: which counts of a group table may be shown, and how a hidden one reads.

A group cell is shown only when at least k distinct contributors stand behind it (primary
suppression; zero cells are shown: zero reveals no one). Then more cells are hidden until no
hidden cell can be recomputed from the shown ones through the sums the table publishes
(complementary suppression). Sums over the period are shown only when every cell in them is.

Limit: the audit is linear (exact recomputation). Bounds are not audited: a reader knows a
cell hidden for having fewer than k contributors is at least 1, so when the shown cells of a
column leave 2 for two such hidden cells, each of them is 1.

No I/O, no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from domain.trends.facts import COUNTERTRANSFERENCE, TABLES, ordered_rows

MIN_K = 3
DEFAULT_K = 3  # suits seminar groups of 6-15 (SECURITY.md, "Group trends: k and adaptive detail")
TOTAL = None  # row key of a column total inside one month's system

Reason = Literal["primary", "complementary"]
CellKey = tuple[str, str | None]  # (table, row); row None = the column total

# One month's raw data: (table, row) -> (number of fact rows, number of distinct contributors).
# Counts, not sets, so that a database can aggregate a million fact rows (domain/groups/contributions.py)
# and hand over only the cells.
Raw = dict[tuple[str, str], tuple[int, int]]


@dataclass(frozen=True)
class Cell:
    value: int | None
    suppressed: bool = False
    reason: Reason | None = None


ZERO = Cell(0)
HIDDEN_SUM = Cell(None, True, "complementary")


def cell_text(c: Cell, k: int, hidden: str = "hidden") -> str:
    """A cell as a handout shows it: "<k" where fewer than k contributors stand behind it,
    `hidden` (the word in the reader's language) where it is hidden to protect another."""
    if not c.suppressed:
        return str(c.value)
    return f"<{k}" if c.reason == "primary" else hidden


def sum_cell(cells: Iterable[Cell]) -> Cell:
    """A sum of cells, hidden when any of them is (it would give the hidden one away)."""
    cells = list(cells)
    return HIDDEN_SUM if any(c.suppressed for c in cells) else Cell(sum(c.value or 0 for c in cells))


# ----- exact linear algebra over the suppressed cells of one month
#
# Every relation is a dict cell -> coefficient (0/±1). Elimination runs modulo a Mersenne
# prime: with at most six relations per month every minor is at most 6**3 in absolute value
# (Hadamard), far below the prime, so ranks and pivots equal those over the rationals.

_P = 2**61 - 1


def _axpy(target: dict, source: dict, factor: int) -> None:
    for col, v in source.items():
        nv = (target.get(col, 0) + factor * v) % _P
        if nv:
            target[col] = nv
        else:
            target.pop(col, None)


def _determined(relations: list[dict[CellKey, int]], unknown: set[CellKey]) -> set[CellKey]:
    """Unknown cells whose value follows from the relations and the shown cells.

    Gauss-Jordan over the unknown columns only: every pivot column is then zero in all other
    rows, so a unit vector lies in the row space iff some reduced row is that unit vector."""
    basis: list[tuple[CellKey, dict]] = []
    for rel in relations:
        row = {c: v % _P for c, v in rel.items() if c in unknown}
        for col, prow in basis:
            if row.get(col):
                _axpy(row, prow, -row[col])
        if not row:
            continue
        col = next(iter(row))
        inv = pow(row[col], _P - 2, _P)
        row = {c: v * inv % _P for c, v in row.items()}
        for _, prow in basis:
            if prow.get(col):
                _axpy(prow, row, -prow[col])
        basis.append((col, row))
    return {col for col, row in basis if len(row) == 1}


# ----- one month's suppression decisions
#
# Why a month's cells never depend on the period asked for: every relation a reader can use
# lies inside one month (column totals, and the intensity total = countertransference cell),
# except period sums per row and over the table, which are shown only when all their month
# cells are shown and so add nothing. Each month is therefore solved on its own, from that
# month's facts, k and the caller's fixed row orders only: its row set is the caller's order
# plus rows with facts in that month, and every tie is broken by (order position, id), never
# by anything that depends on other months. Two periods that share a month show the same cells
# for it, so differencing periods can never expose a hidden cell.


def _month_rows(raw: Raw, orders: dict[str, Sequence[str] | None]) -> dict[str, list[str]]:
    rows = {t: ordered_rows(orders[t], (r for (tt, r), (n, _) in raw.items() if tt == t and n > 0))
            for t in TABLES}
    if rows["intensity"] and COUNTERTRANSFERENCE not in rows["kinds"]:
        rows["kinds"] = ordered_rows(orders["kinds"], [*rows["kinds"], COUNTERTRANSFERENCE])
    return rows


def _relations(rows: dict[str, list[str]], values: dict) -> list[dict[CellKey, int]]:
    """Column total = sum of its rows, per table; and intensity total = countertransference.

    Each countertransference entry with an intensity gives one band row, so the band total
    equals the countertransference cell whenever every such entry that month has an intensity.
    The relation is used exactly when it holds; when some entry has no intensity it is false,
    a reader only knows "band total <= cell", and treating it as an equation would just hide
    cells for nothing."""
    rels = [{(t, TOTAL): 1, **{(t, r): -1 for r in rows[t]}} for t in TABLES if rows[t]]
    band_total, ct = ("intensity", TOTAL), ("kinds", COUNTERTRANSFERENCE)
    if rows["intensity"] and values[band_total][0] == values[ct][0]:
        rels.append({band_total: 1, ct: -1})
    return rels


def _month_values(raw: Raw, rows: dict[str, list[str]], col_people: dict[str, int]) -> dict[CellKey, tuple[int, int]]:
    values: dict[CellKey, tuple[int, int]] = {}
    for t in TABLES:
        inside = [v for (tt, _), v in raw.items() if tt == t]
        values[(t, TOTAL)] = (sum(n for n, _ in inside), col_people.get(t, 0))
        for r in rows[t]:
            values[(t, r)] = raw.get((t, r), (0, 0))
    return values


def _pick(j: CellKey, rels: list[dict], unknown: set[CellKey], rank: Callable[[CellKey], tuple]) -> CellKey:
    """The shown cell to hide so that j stops being determined: from the relations j is in,
    the smallest non-zero cell, then a zero cell, then a total; the first of these that
    actually frees j, else the first (the caller loops)."""
    shown = {c for rel in rels if j in rel for c in rel if c not in unknown}
    shown = shown or {c for rel in rels for c in rel if c not in unknown}
    ranked = sorted(shown, key=rank)
    for cand in ranked:
        if j not in _determined(rels, unknown | {cand}):
            return cand
    return ranked[0]


def solve_month(raw: Raw, col_people: dict[str, int], orders: dict[str, Sequence[str] | None],
                k: int) -> dict[CellKey, Cell]:
    """Every cell and column total of one month, shown or hidden (with the reason)."""
    rows = _month_rows(raw, orders)
    values = _month_values(raw, rows, col_people)
    rels = _relations(rows, values)
    position = {key: i for i, key in enumerate(values)}  # tables in order, total first, then rows

    def rank(c: CellKey) -> tuple:
        n = values[c][0]
        return (2 if c[1] is TOTAL else 0 if n else 1, n, position[c])

    reason: dict[CellKey, Reason] = {c: "primary" for c, (n, p) in values.items() if n and p < k}
    unknown = set(reason)
    while determined := _determined(rels, unknown):
        cand = _pick(min(determined, key=position.__getitem__), rels, unknown, rank)
        unknown.add(cand)
        reason[cand] = "complementary"
    return {c: Cell(None, True, reason[c]) if c in reason else Cell(n) for c, (n, _) in values.items()}

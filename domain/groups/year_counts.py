"""One year of a group's counts, read once per request, from which every block of that year
(year, terms, quarters, months) is counted in memory.

Why: the adaptive release (domain/trends/adaptive.py) needs the distinct contributors of every
cell in 18 blocks. Reading the ledger (one row per month, cell and person: ~100,000 rows for a
year of a big group) into Python and counting sets took most of a second, and folding it into
masks in SQL still scanned all of it. So each person's months in a cell (and in a table) are
kept on write as a 12-bit mask per year (trend_cell_masks, trend_presence_masks; a tenth of the
rows), and the database returns how many people share each mask. A block's distinct
contributors are then the people whose mask meets the block's months. Pseudonyms never leave
the database.

Counts are exactly those of contributions.bucket_aggregates (tests/test_speed_year_counts.py).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text

from domain.core.db import db
from domain.trends.facts import TABLES
from domain.trends.group_tables import Aggregates

# The masks kept on write (domain/trends/rollup.py) hold one year each, bit 0 = January; a second
# year read shifts its bits up by 12 (years differ, so SUM is the OR).
SHIFTED = "(months << (12 * (year - :y0)))"
_SCOPE = "group_id = :g AND year >= :y0 AND year <= :y1"
_FACTS = """SELECT month, tbl, cell, n FROM trend_cells
  WHERE group_id = :g AND month >= :first AND month <= :last AND tbl <> '' AND n > 0"""


def _masks(keys: str, table: str, years: int) -> str:
    """How many people share each month mask, per `keys`. A person has one row per key and year,
    so one year is a single GROUP BY; two first fold each person's years into one mask."""
    if years == 1:
        return f"SELECT {keys}, months, COUNT(*) FROM {table} WHERE {_SCOPE} AND tbl <> '' GROUP BY {keys}, months"
    return f"""SELECT {keys}, mask, COUNT(*) FROM (
  SELECT {keys}, SUM({SHIFTED}) AS mask FROM {table} WHERE {_SCOPE} AND tbl <> ''
  GROUP BY {keys}, pseudonym) s GROUP BY {keys}, mask"""


def bit_or(value: str, bits: int) -> str:
    """The bitwise OR of `value` over a group, bit by bit (SQLite has no BIT_OR aggregate)."""
    return " + ".join(f"MAX(({value}) & {1 << b})" for b in range(bits))


def _people(bits: int) -> str:
    """Per person the OR of their table masks: months in the tables, and months anywhere."""
    known = bit_or(f"CASE WHEN tbl <> '' THEN {SHIFTED} ELSE 0 END", bits)
    return f"""SELECT known, every, COUNT(*) FROM (
  SELECT {known} AS known, {bit_or(SHIFTED, bits)} AS every
  FROM trend_presence_masks WHERE {_SCOPE} GROUP BY pseudonym) s GROUP BY known, every"""


def _sum(rows: Iterable[tuple[int, int]], mask: int) -> int:
    return sum(n for m, n in rows if m & mask)


@dataclass
class YearCounts:
    year: int  # the first year read; bits count months from its January
    facts: dict[str, dict[tuple[str, str], int]]  # month -> (table, cell) -> facts
    cells: dict[tuple[str, str], list[tuple[int, int]]]  # (table, cell) -> (month mask, people)
    tables: dict[str, list[tuple[int, int]]]  # table -> (month mask, people)
    people: list[tuple[int, int, int]]  # (mask in the tables, mask anywhere, people)
    span: int = 12  # months read

    def mask(self, months: Iterable[str]) -> int:
        bits = ((int(m[:4]) - self.year) * 12 + int(m[5:7]) - 1 for m in set(months))
        return sum(1 << b for b in bits if 0 <= b < self.span)

    def __call__(self, buckets: dict[str, list[str]]) -> Aggregates:
        """A BucketCounter (domain/trends/adaptive.py) for buckets of the months read."""
        masks = {b: self.mask(months) for b, months in buckets.items()}
        agg = Aggregates({b: {} for b in buckets}, {b: {} for b in buckets}, {}, 0)
        for b, months in buckets.items():
            for (tbl, cell), rows in self.cells.items():
                people = _sum(rows, masks[b])
                if people:
                    agg.cells[b][(tbl, cell)] = (sum(self.facts.get(m, {}).get((tbl, cell), 0) for m in months),
                                                 people)
            agg.col_people[b] = {t: _sum(self.tables.get(t, ()), masks[b]) for t in TABLES}
        every = 0
        for m in masks.values():
            every |= m
        agg.table_people = {t: n for t, rows in self.tables.items() if (n := _sum(rows, every))}
        # As contributions.aggregates does for plain months: anyone with a fact that month counts,
        # also outside the tables (a process with no outcome yet).
        plain = all(months == [b] for b, months in buckets.items())
        agg.people = sum(n for known, anywhere, n in self.people if (anywhere if plain else known) & every)
        return agg


def read(group_id: str, year: int, last: int | None = None) -> YearCounts:
    """Four small statements over the counts kept on write (domain/trends/rollup.py), for the
    years `year` to `last` (at most two: a year's page also speaks of the year before, and one
    read serves both)."""
    last = year if last is None else last
    if not year <= last <= year + 1:
        raise ValueError("one or two years")
    bind = {"g": group_id, "first": f"{year:04d}-01", "last": f"{last:04d}-12", "y0": year, "y1": last}
    run = db.session.execute
    years = last - year + 1
    counts = YearCounts(year, {}, {}, {}, [], 12 * years)
    for month, tbl, cell, n in run(text(_FACTS), bind).all():
        counts.facts.setdefault(month, {})[(tbl, cell)] = int(n)
    for tbl, cell, mask, n in run(text(_masks("tbl, cell", "trend_cell_masks", years)), bind).all():
        counts.cells.setdefault((tbl, cell), []).append((int(mask), int(n)))
    for tbl, mask, n in run(text(_masks("tbl", "trend_presence_masks", years)), bind).all():
        counts.tables.setdefault(tbl, []).append((int(mask), int(n)))
    people = run(text(_people(counts.span)), bind).all()
    counts.people = [(int(known), int(anywhere), int(n)) for known, anywhere, n in people]
    return counts

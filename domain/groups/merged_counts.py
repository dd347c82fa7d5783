"""A group's year counts with some themes' subthemes counted together (domain/trends/adaptive.py
merges them when the group is too small to show them apart).

Facts of a merged row are the sum of its subthemes' facts. Its distinct contributors are not:
one person with two subthemes of a theme is one person. So, read only when a release actually
merges, the database ORs each person's month masks of a theme's subthemes (the masks
domain/groups/year_counts.py reads per cell) and returns how many people share each mask.
Pseudonyms never leave the database.
"""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from domain.core.db import db
from domain.groups import year_counts
from domain.trends.adaptive import NONE
from domain.trends.facts import merged_row, theme_of_subtheme
from domain.trends.group_tables import Aggregates

_THEME = {"postgresql": "split_part(cell, '.', 1)", "sqlite": "substr(cell, 1, instr(cell || '.', '.') - 1)"}
_MERGED = """SELECT theme, mask, COUNT(*) FROM (
  SELECT {theme} AS theme, {mask} AS mask FROM trend_cell_masks
  WHERE group_id = :g AND year >= :y0 AND year <= :y1 AND tbl = 'subthemes'
  GROUP BY {theme}, pseudonym) s GROUP BY theme, mask"""


class Counts:
    """A BucketCounter (domain/trends/adaptive.py) over a YearCounts, able to merge subthemes."""

    def __init__(self, counts: year_counts.YearCounts, read_merged: Callable[[], dict[str, list[tuple[int, int]]]]):
        self.counts = counts
        self._read_merged = read_merged
        self._merged: dict[str, list[tuple[int, int]]] | None = None

    def themes(self) -> dict[str, list[tuple[int, int]]]:
        """theme -> (month mask, people), read on first use."""
        if self._merged is None:
            self._merged = self._read_merged()
        return self._merged

    def __call__(self, buckets: dict[str, list[str]], merged: frozenset[str] = NONE) -> Aggregates:
        agg = self.counts(buckets)
        if not merged:
            return agg
        for b, months in buckets.items():
            cells, facts = agg.cells[b], dict.fromkeys(merged, 0)
            for tbl, cell in [key for key in cells if key[0] == "subthemes"]:
                if (theme := theme_of_subtheme(cell)) in merged:
                    facts[theme] += cells.pop((tbl, cell))[0]
            mask = self.counts.mask(months)
            for theme in merged:
                people = sum(n for m, n in self.themes().get(theme, ()) if m & mask)
                if people:
                    cells[("subthemes", merged_row(theme))] = (facts[theme], people)
        return agg


def read(group_id: str, year: int, last: int | None = None) -> Counts:
    """year_counts.read, plus the merged subtheme counts when a release asks for them."""
    last = year if last is None else last
    counts = year_counts.read(group_id, year, last)

    def merged() -> dict[str, list[tuple[int, int]]]:
        theme = _THEME[db.session.get_bind().dialect.name]
        mask = year_counts.bit_or(year_counts.SHIFTED, counts.span)
        sql = text(_MERGED.format(theme=theme, mask=mask))
        bind = {"g": group_id, "y0": year, "y1": last}
        out: dict[str, list[tuple[int, int]]] = {}
        for t, mask, n in db.session.execute(sql, bind).all():
            out.setdefault(t, []).append((int(mask), int(n)))
        return out
    return Counts(counts, merged)

"""Personal trends: one therapist's own counts over a period of months, computed in memory from
their decrypted entries and processes. Nothing here leaves the person; no suppression applies.

No I/O, no Flask, no database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.trends.facts import (
    BRIGHT_KIND,
    COUNTERTRANSFERENCE,
    HEAVY_KINDS,
    OUTCOMES,
    SUPERVISION_WAITING,
    EntryFact,
    ProcessFact,
    month_of,
    months_back,
    ordered_rows,
)

TOP_FEELINGS = 8

# What callers pass in, importable from here with the function that takes them.
__all__ = ["EntryFact", "PersonalTrends", "ProcessFact", "Table", "personal_trends"]


@dataclass
class Table:
    rows: list[str]
    months: list[str]
    cells: dict[tuple[str, str], int]

    def get(self, row: str, month: str) -> int:
        return self.cells.get((row, month), 0)

    def row_total(self, row: str) -> int:
        return sum(self.get(row, m) for m in self.months)

    def col_total(self, month: str) -> int:
        return sum(self.get(r, month) for r in self.rows)

    @property
    def total(self) -> int:
        return sum(self.col_total(m) for m in self.months)


@dataclass
class PersonalTrends:
    months: list[str]
    by_kind: Table
    by_theme: Table
    by_subtheme: Table
    intensity_hist: dict[int, int]
    intensity_by_month: list[tuple[str, float | None, int]]
    top_feelings: list[tuple[str, int]]
    outcomes: dict[str, int]  # processes per outcome reached; one process may count twice
    open_processes: int
    by_support: Table  # what helped, per entry and month
    strain: int  # heavy entries (hard session, countertransference, ethical dilemma)
    waiting_for_supervision: int
    urgent: int
    bright_vs_heavy: list[tuple[str, int, int]]
    total: int


def _count_table(pairs: Iterable[tuple[str, str]], months: list[str], order: Sequence[str] | None) -> Table:
    counts = Counter(pairs)
    rows = ordered_rows(order, (row for row, _ in counts))
    return Table(rows, list(months), {(r, m): counts.get((r, m), 0) for r in rows for m in months})


def _intensity(entries: list[tuple[str, EntryFact]]) -> list[tuple[str, int]]:
    return [
        (m, e.intensity)
        for m, e in entries
        if e.kind == COUNTERTRANSFERENCE and e.intensity is not None and 0 <= e.intensity <= 10
    ]


def _intensity_by_month(
    values: list[tuple[str, int]], months: list[str]
) -> list[tuple[str, float | None, int]]:
    out = []
    for month in months:
        xs = [v for m, v in values if m == month]
        out.append((month, sum(xs) / len(xs) if xs else None, len(xs)))
    return out


def _top_feelings(entries: list[tuple[str, EntryFact]]) -> list[tuple[str, int]]:
    counts = Counter(f for _, e in entries for f in dict.fromkeys(e.feelings))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_FEELINGS]


def _tags(entries: list[tuple[str, EntryFact]], field: str) -> Iterable[tuple[str, str]]:
    """(tag, month) once per tag and entry."""
    return ((tag, m) for m, e in entries for tag in dict.fromkeys(getattr(e, field)))


def _bright_vs_heavy(entries: list[tuple[str, EntryFact]], months: list[str]) -> list[tuple[str, int, int]]:
    bright = Counter(m for m, e in entries if e.kind == BRIGHT_KIND)
    heavy = Counter(m for m, e in entries if e.kind in HEAVY_KINDS)
    return [(m, bright[m], heavy[m]) for m in months]


def _by_outcome(processes: list[ProcessFact]) -> dict[str, int]:
    """Reported and ended are counted apart: a process that was both counts in both rows."""
    return {o: sum(1 for p in processes if any(o == r for r, _ in p.reached)) for o in OUTCOMES}


def personal_trends(
    entries: Iterable[EntryFact],
    processes: Iterable[ProcessFact],
    today: date,
    months: int | None,
    *,
    kind_order: Sequence[str] | None = None,
    theme_order: Sequence[str] | None = None,
    subtheme_order: Sequence[str] | None = None,
    support_order: Sequence[str] | None = None,
) -> PersonalTrends:
    """One therapist's counts for the last `months` months (None: since the first entry).

    Only entries whose month lies in the period count, except `waiting_for_supervision`
    (entries marked "yes" or "urgent", any date; it includes the urgent ones) and `urgent`.
    Row orders default to the ids that occur in the period, sorted."""
    entries, procs = list(entries), list(processes)
    period = months_back(today, months, min((e.day for e in entries), default=None))
    inside = set(period)
    current = [(month_of(e.day), e) for e in entries if month_of(e.day) in inside]
    values = _intensity(current)
    return PersonalTrends(
        months=period,
        by_kind=_count_table(((e.kind, m) for m, e in current), period, kind_order),
        by_theme=_count_table(_tags(current, "themes"), period, theme_order),
        by_subtheme=_count_table(_tags(current, "subthemes"), period, subtheme_order),
        intensity_hist={i: sum(1 for _, v in values if v == i) for i in range(11)},
        intensity_by_month=_intensity_by_month(values, period),
        top_feelings=_top_feelings(current),
        outcomes=_by_outcome(procs),
        open_processes=sum(1 for p in procs if not any(o != OUTCOMES[0] for o, _ in p.reached)),
        by_support=_count_table(_tags(current, "supports"), period, support_order),
        strain=sum(1 for _, e in current if e.kind in HEAVY_KINDS),
        waiting_for_supervision=sum(1 for e in entries if e.supervision in SUPERVISION_WAITING),
        urgent=sum(1 for e in entries if e.supervision == "urgent"),
        bright_vs_heavy=_bright_vs_heavy(current, period),
        total=len(current),
    )

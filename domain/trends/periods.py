"""Fixed calendar periods for group trends: a year, its two terms, four quarters and twelve months.

Why fixed: if a lead could ask for any run of months, two overlapping runs would differ by one
month, and subtracting them would give back a count that k hides. Every period and every column
of a group table is one of these blocks, so any two either nest or do not overlap at all
(domain/trends/adaptive.py releases exactly one partition of each year, whatever is asked).

Ids: "2026" (year), "2026-T2" (July-December), "2026-Q4", "2026-11". No I/O.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

LEVELS = ("year", "term", "quarter", "month")
_SIZE = {"year": 12, "term": 6, "quarter": 3, "month": 1}
_ID = re.compile(r"^(\d{4})(?:-(T[12]|Q[1-4]|0[1-9]|1[0-2]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    level: str
    index: int  # 1-based within the year: term 1-2, quarter 1-4, month 1-12; 1 for the year

    @property
    def id(self) -> str:
        if self.level == "year":
            return f"{self.year:04d}"
        if self.level == "month":
            return f"{self.year:04d}-{self.index:02d}"
        return f"{self.year:04d}-{self.level[0].upper()}{self.index}"

    @property
    def first_month(self) -> int:
        return (self.index - 1) * _SIZE[self.level] + 1

    def months(self) -> list[str]:
        start = self.first_month
        return [f"{self.year:04d}-{m:02d}" for m in range(start, start + _SIZE[self.level])]

    def children(self) -> list[Period]:
        if self.level == "month":
            return []
        finer = LEVELS[LEVELS.index(self.level) + 1]
        per = _SIZE[self.level] // _SIZE[finer]
        return [Period(self.year, finer, (self.index - 1) * per + i) for i in range(1, per + 1)]

    def previous(self) -> Period:
        if self.index > 1:
            return Period(self.year, self.level, self.index - 1)
        return Period(self.year - 1, self.level, 12 // _SIZE[self.level])

    def contains(self, other: Period) -> bool:
        return set(other.months()) <= set(self.months())


def parse(pid: str | None) -> Period | None:
    """A period id as written above, or None for anything else."""
    found = _ID.match(pid or "")
    if not found:
        return None
    year, rest = int(found.group(1)), found.group(2)
    if rest is None:
        return Period(year, "year", 1)
    if rest[0] == "T":
        return Period(year, "term", int(rest[1]))
    if rest[0] == "Q":
        return Period(year, "quarter", int(rest[1]))
    return Period(year, "month", int(rest))


def containing(day: date, level: str) -> Period:
    index = (day.month - 1) // _SIZE[level] + 1
    return Period(day.year, level, index)


def offered(today: date) -> list[Period]:
    """The periods the group page offers: this and the previous month, quarter, term and year."""
    out = []
    for level in ("term", "quarter", "month", "year"):
        now = containing(today, level)
        out += [now, now.previous()]
    return out


def default(today: date) -> Period:
    """A term: six months is what a seminar usually looks back on."""
    return containing(today, "term")

"""What trends count: the vocabularies, the calendar months facts fall in, the facts of one entry
or process, and which group table a contributed fact belongs to.

No I/O, no Flask, no database. Vocabulary ids (kinds aside) are opaque strings; labels are
looked up by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.catalogue import outcomes

KINDS = ("hard_session", "countertransference", "ethical_dilemma", "bright_moment")
COUNTERTRANSFERENCE = "countertransference"
BRIGHT_KIND = "bright_moment"
HEAVY_KINDS = frozenset({"hard_session", "countertransference", "ethical_dilemma"})
STATUSES = ("ongoing", "completed", "ended_early", "reported")
# The two outcomes of a process, kept apart (domain/catalogue/outcomes.py): a process that was
# both reported and ended early counts in both rows.
OUTCOMES = (outcomes.REPORTED, outcomes.ENDED_EARLY, outcomes.ENDED_AS_PLANNED)
PROCESS_KIND = "process"
# What helped (entry field `supports`) is stored as a fact row of this kind, its id in the
# `outcome` column: no new column, and classify() keeps it out of every other table.
SUPPORT_KIND = "support"
BANDS = ("0-2", "3-5", "6-8", "9-10")
SUPERVISION_WAITING = frozenset({"yes", "urgent"})
TABLES = ("kinds", "themes", "subthemes", "intensity", "outcomes", "supports")


# --------------------------------------------------------------------------- months and rows


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_no(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_str(no: int) -> str:
    return f"{no // 12:04d}-{no % 12 + 1:02d}"


def months_back(today: date, n: int | None, earliest: date | None) -> list[str]:
    """"YYYY-MM" strings, oldest first, ending with today's month. n=None reaches back to the
    month of `earliest` (the oldest fact); it is always at least the current month."""
    end = _month_no(today)
    if n is None:
        start = min(end, _month_no(earliest)) if earliest is not None else end
    elif n < 1:
        raise ValueError("a period has at least one month")
    else:
        start = end - n + 1
    return [_month_str(no) for no in range(start, end + 1)]


def ordered_rows(order: Sequence[str] | None, occurring: Iterable[str]) -> list[str]:
    """The caller's order (deduplicated) followed by any other occurring ids, sorted;
    with no order, just the occurring ids sorted. Nothing that occurs is ever dropped."""
    head = list(dict.fromkeys(order or ()))
    return head + sorted(set(occurring) - set(head))


# --------------------------------------------------------------------------- one therapist's facts


@dataclass(frozen=True)
class EntryFact:
    day: date
    kind: str
    themes: tuple[str, ...] = ()
    subthemes: tuple[str, ...] = ()
    intensity: int | None = None
    feelings: tuple[str, ...] = ()
    supervision: str = "no"  # "no" | "yes" | "urgent"
    process_id: str | None = None
    supports: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessFact:
    """A process as trends see it: its id and the outcomes it reached, each with the month it
    happened in (None: unknown, the caller's month is used)."""
    id: str
    reached: tuple[tuple[str, str | None], ...] = ()

    @classmethod
    def of(cls, process_id: str, data: dict) -> ProcessFact:
        d = outcomes.upgraded(data)
        when = {outcomes.REPORTED: d.get("reported_on"), outcomes.ENDED_EARLY: d.get("ended_on"),
                outcomes.ENDED_AS_PLANNED: d.get("ended_on")}
        return cls(process_id, tuple((o, (when[o] or "")[:7] or None) for o in OUTCOMES
                                     if o in outcomes.outcomes(data)))


# --------------------------------------------------------------------------- contributed facts


@dataclass(frozen=True)
class GroupFact:
    """One member's contributed, non-identifying fact row (never text)."""

    contributor: str  # per-group pseudonym
    month: str
    kind: str
    theme: str | None = None
    subtheme: str | None = None
    intensity_band: str | None = None
    outcome: str | None = None


def intensity_band(intensity: int) -> str:
    if not 0 <= intensity <= 10:
        raise ValueError("intensity is 0..10")
    return BANDS[min(intensity // 3, 3)]


def facts_for_entry(e: EntryFact, contributor: str) -> list[GroupFact]:
    """One row for the kind, one per theme, one per subtheme, one for the intensity band of a
    countertransference entry that has an intensity."""
    month = month_of(e.day)
    facts = [GroupFact(contributor, month, e.kind)]
    facts += [GroupFact(contributor, month, e.kind, theme=t) for t in dict.fromkeys(e.themes)]
    facts += [GroupFact(contributor, month, e.kind, subtheme=s) for s in dict.fromkeys(e.subthemes)]
    if e.kind == COUNTERTRANSFERENCE and e.intensity is not None:
        facts.append(GroupFact(contributor, month, e.kind, intensity_band=intensity_band(e.intensity)))
    facts += [GroupFact(contributor, month, SUPPORT_KIND, outcome=s) for s in dict.fromkeys(e.supports)]
    return facts


def facts_for_process(p: ProcessFact, month: str, contributor: str) -> list[GroupFact]:
    """One outcome row per outcome reached (reported, ended early, ended as planned), in the month
    it happened when known; nothing for an open process."""
    return [GroupFact(contributor, when or month, PROCESS_KIND, outcome=o) for o, when in p.reached]


# A subtheme id is "<theme>.<sub>". When a group is too small to show a theme's subthemes apart,
# they are counted together in one row of the subtheme table (domain/trends/adaptive.py).
MERGED_SUFFIX = ".*"


def theme_of_subtheme(subtheme: str) -> str:
    return subtheme.split(".", 1)[0]


def merged_row(theme: str) -> str:
    """The subtheme-table row of a theme whose subthemes are counted together: "<theme>.*"."""
    return theme + MERGED_SUFFIX


def merge_subtheme(subtheme: str, merged: frozenset[str]) -> str:
    """The row a subtheme is counted in when the themes in `merged` are counted together."""
    theme = theme_of_subtheme(subtheme)
    return merged_row(theme) if theme in merged else subtheme


def classify(f: GroupFact) -> tuple[str, str] | None:
    """(table, row) a fact is counted in; None for a process row without an outcome."""
    if f.kind == SUPPORT_KIND:
        return ("supports", f.outcome) if f.outcome else None
    if f.outcome is not None:
        return "outcomes", f.outcome
    if f.intensity_band is not None:
        return "intensity", f.intensity_band
    if f.theme is not None:
        return "themes", f.theme
    if f.subtheme is not None:
        return "subthemes", f.subtheme
    return None if f.kind == PROCESS_KIND else ("kinds", f.kind)

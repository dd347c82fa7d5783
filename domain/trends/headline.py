"""The headline above the group tables: what was logged most, what helped beside the strain, how
strong the reactions were and the change from the previous period. Built only from numbers the
view already shows (a hidden or "<k" number is never used, not even to rank), so it tells a lead
nothing the tables do not.

No I/O, no Flask. Ids only; the caller labels them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from domain.trends.adaptive import View
from domain.trends.facts import HEAVY_KINDS, MERGED_SUFFIX
from domain.trends.group_tables import GroupTable

TOP = 3


@dataclass
class Headline:
    themes: list[tuple[str, int]] = field(default_factory=list)
    subthemes: list[tuple[str, int]] = field(default_factory=list)
    supports: list[tuple[str, int]] = field(default_factory=list)
    strain: int | None = None  # heavy entries, when every heavy kind's total is shown
    bands: list[tuple[str, int]] = field(default_factory=list)  # intensity bands whose totals are shown
    entries: int | None = None  # this period's entries, when shown and inside the period
    previous: int | None = None  # the previous period's, under the same conditions
    outcomes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def change(self) -> int | None:
        return None if self.entries is None or self.previous is None else self.entries - self.previous

    def empty(self) -> bool:
        return not (self.themes or self.subthemes or self.supports or self.bands or self.entries is not None)


def shown_totals(t: GroupTable) -> list[tuple[str, int]]:
    """Rows whose period total is shown and above zero, largest first (ties in catalogue order)."""
    rows = [(r, t.row_totals[r].value) for r in t.rows
            if not t.row_totals[r].suppressed and t.row_totals[r].value]
    order = {r: i for i, r in enumerate(t.rows)}
    return sorted(rows, key=lambda rv: (-rv[1], order[rv[0]]))  # type: ignore[return-value]


def _entries(v: View | None) -> int | None:
    if v is None or not v.within("kinds") or v.tables["kinds"].total.suppressed:
        return None
    return v.tables["kinds"].total.value


def _strain(kinds: GroupTable) -> int | None:
    heavy = [kinds.row_totals[r] for r in kinds.rows if r in HEAVY_KINDS]
    if not heavy or any(c.suppressed for c in heavy):
        return None
    return sum(c.value or 0 for c in heavy)


def headline(v: View, previous: View | None = None) -> Headline:
    """Only tables whose columns lie inside the period speak for it: a half-year column shown in a
    quarter's view would say more than the quarter."""
    def inside(name: str) -> GroupTable | None:
        return v.tables[name] if v.within(name) else None
    themes, subthemes, supports, bands, outcomes, kinds = (inside(n) for n in (
        "themes", "subthemes", "supports", "intensity", "outcomes", "kinds"))
    return Headline(
        themes=shown_totals(themes)[:TOP] if themes else [],
        # The line names subthemes; a merged row ("<theme>.*") is a theme's subthemes together.
        subthemes=[rv for rv in shown_totals(subthemes) if not rv[0].endswith(MERGED_SUFFIX)][:TOP]
        if subthemes else [],
        supports=shown_totals(supports) if supports else [],
        strain=_strain(kinds) if kinds else None,
        bands=[(r, c.value) for r in bands.rows if not (c := bands.row_totals[r]).suppressed and c.value]
        if bands else [],
        entries=_entries(v),
        previous=_entries(previous),
        outcomes=shown_totals(outcomes) if outcomes else [],
    )

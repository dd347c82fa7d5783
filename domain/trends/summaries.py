"""Trend summaries: pure functions, facts in, counts out.

Personal trends are one therapist's own counts over a period of months. Group trends count
fact rows that opted-in members contributed under a per-group pseudonym. A group cell is shown
only when at least k distinct contributors stand behind it (primary suppression); then more
cells are hidden until no hidden cell can be recomputed from the shown ones through the sums
the table publishes (complementary suppression).

No I/O, no Flask, no database. Vocabulary ids (kinds aside) are opaque strings; labels are
looked up by the caller.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

KINDS = ("hard_session", "countertransference", "ethical_dilemma", "bright_moment")
COUNTERTRANSFERENCE = "countertransference"
BRIGHT_KIND = "bright_moment"
HEAVY_KINDS = frozenset({"hard_session", "countertransference", "ethical_dilemma"})
STATUSES = ("ongoing", "completed", "ended_early", "reported")
OUTCOMES = ("ended_early", "reported")
PROCESS_KIND = "process"
BANDS = ("0-2", "3-5", "6-8", "9-10")
SUPERVISION_WAITING = frozenset({"yes", "urgent"})
TOP_FEELINGS = 8
MIN_K = 3
DEFAULT_K = 5


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_no(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_str(no: int) -> str:
    return f"{no // 12:04d}-{no % 12 + 1:02d}"


def _rows(order: Sequence[str] | None, occurring: Iterable[str]) -> list[str]:
    """The caller's order (deduplicated) followed by any other occurring ids, sorted;
    with no order, just the occurring ids sorted. Nothing that occurs is ever dropped."""
    head = list(dict.fromkeys(order or ()))
    return head + sorted(set(occurring) - set(head))


# --------------------------------------------------------------------------- personal trends


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


@dataclass(frozen=True)
class ProcessFact:
    id: str
    status: str


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
    processes_by_status: dict[str, int]
    waiting_for_supervision: int
    urgent: int
    bright_vs_heavy: list[tuple[str, int, int]]
    total: int


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


def _count_table(pairs: Iterable[tuple[str, str]], months: list[str], order: Sequence[str] | None) -> Table:
    counts = Counter(pairs)
    rows = _rows(order, (row for row, _ in counts))
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


def _by_status(processes: Iterable[ProcessFact]) -> dict[str, int]:
    out = dict.fromkeys(STATUSES, 0)
    for p in processes:
        out[p.status] = out.get(p.status, 0) + 1
    return out


def personal_trends(
    entries: Iterable[EntryFact],
    processes: Iterable[ProcessFact],
    today: date,
    months: int | None,
    *,
    kind_order: Sequence[str] | None = None,
    theme_order: Sequence[str] | None = None,
    subtheme_order: Sequence[str] | None = None,
) -> PersonalTrends:
    """One therapist's counts for the last `months` months (None: since the first entry).

    Only entries whose month lies in the period count, except `waiting_for_supervision`
    (entries marked "yes" or "urgent", any date; it includes the urgent ones) and `urgent`.
    Row orders default to the ids that occur in the period, sorted."""
    entries = list(entries)
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
        processes_by_status=_by_status(processes),
        waiting_for_supervision=sum(1 for e in entries if e.supervision in SUPERVISION_WAITING),
        urgent=sum(1 for e in entries if e.supervision == "urgent"),
        bright_vs_heavy=_bright_vs_heavy(current, period),
        total=len(current),
    )


# --------------------------------------------------------------------------- group facts


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
    return facts


def facts_for_process(p: ProcessFact, month: str, contributor: str) -> list[GroupFact]:
    """An outcome row when a process ended early or was reported; nothing otherwise."""
    if p.status in OUTCOMES:
        return [GroupFact(contributor, month, PROCESS_KIND, outcome=p.status)]
    return []


# --------------------------------------------------------------------------- group tables

TABLES = ("kinds", "themes", "subthemes", "intensity", "outcomes")
TOTAL = None  # row key of a column total inside one month's system

Reason = Literal["primary", "complementary"]
CellKey = tuple[str, str | None]  # (table, row); row None = the column total


@dataclass(frozen=True)
class Cell:
    value: int | None
    suppressed: bool = False
    reason: Reason | None = None


ZERO = Cell(0)
HIDDEN_SUM = Cell(None, True, "complementary")


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
    outcomes: GroupTable  # processes ended early / reported
    contributors: int

    def tables(self) -> list[GroupTable]:
        return [self.kinds, self.themes, self.subthemes, self.intensity, self.outcomes]


def _classify(f: GroupFact) -> tuple[str, str] | None:
    if f.outcome is not None:
        return "outcomes", f.outcome
    if f.intensity_band is not None:
        return "intensity", f.intensity_band
    if f.theme is not None:
        return "themes", f.theme
    if f.subtheme is not None:
        return "subthemes", f.subtheme
    return None if f.kind == PROCESS_KIND else ("kinds", f.kind)


# One month's raw data: (table, row) -> (number of fact rows, number of distinct contributors),
# plus, per table, the distinct contributors of its column total. Counts, not sets, so that a
# database can aggregate a million fact rows (trend_store.py) and hand over only the cells.
_Raw = dict[tuple[str, str], tuple[int, int]]


@dataclass
class Aggregates:
    """Everything group_trends needs, already counted: per month the cells and the column-total
    contributor counts, per table and overall the distinct contributors in the period."""
    cells: dict[str, _Raw]
    col_people: dict[str, dict[str, int]]
    table_people: dict[str, int]
    people: int


def aggregate(facts: Iterable[GroupFact], months: list[str]) -> Aggregates:
    counts: dict[str, Counter] = {m: Counter() for m in months}
    people: dict[str, dict[tuple[str, str], set[str]]] = {m: {} for m in months}
    by_table: dict[str, set[str]] = {t: set() for t in TABLES}
    for f in facts:
        where = _classify(f)
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


def _month_rows(raw: _Raw, orders: dict[str, Sequence[str] | None]) -> dict[str, list[str]]:
    rows = {t: _rows(orders[t], (r for (tt, r), (n, _) in raw.items() if tt == t and n > 0)) for t in TABLES}
    if rows["intensity"] and COUNTERTRANSFERENCE not in rows["kinds"]:
        rows["kinds"] = _rows(orders["kinds"], [*rows["kinds"], COUNTERTRANSFERENCE])
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


def _month_values(raw: _Raw, rows: dict[str, list[str]], col_people: dict[str, int]) -> dict[CellKey, tuple[int, int]]:
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


def _solve_month(raw: _Raw, col_people: dict[str, int], orders: dict[str, Sequence[str] | None],
                 k: int) -> dict[CellKey, Cell]:
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


def _sum_cell(cells: Iterable[Cell]) -> Cell:
    cells = list(cells)
    return HIDDEN_SUM if any(c.suppressed for c in cells) else Cell(sum(c.value or 0 for c in cells))


def _assemble(name: str, rows: list[str], months: list[str], solved: dict, contributors: int) -> GroupTable:
    cells = {(r, m): solved[m].get((name, r), ZERO) for r in rows for m in months}
    cols = {m: solved[m][(name, TOTAL)] for m in months}
    return GroupTable(
        name=name,
        rows=rows,
        months=list(months),
        cells=cells,
        col_totals=cols,
        row_totals={r: _sum_cell(cells[(r, m)] for m in months) for r in rows},
        total=_sum_cell(cols.values()),
        contributors=contributors,
    )


def group_trends(
    facts: Iterable[GroupFact],
    months: list[str],
    k: int = DEFAULT_K,
    *,
    kind_order: Sequence[str] | None = None,
    theme_order: Sequence[str] | None = None,
    subtheme_order: Sequence[str] | None = None,
    band_order: Sequence[str] | None = BANDS,
    outcome_order: Sequence[str] | None = OUTCOMES,
) -> GroupTrends:
    """Group tables per month with k-anonymity and complementary suppression.

    A cell with facts from fewer than k distinct contributors is hidden (zero cells are shown:
    zero reveals no one); further cells are hidden until no hidden cell is determined by the
    shown ones. Row orders are the caller's catalogue orders (rows with no facts show zeros);
    ids not in an order are appended sorted.

    Limit: the audit is linear (exact recomputation). Bounds are not audited: a reader knows a
    cell hidden for having fewer than k contributors is at least 1, so when the shown cells of
    a column leave 2 for two such hidden cells, each of them is 1."""
    months = list(dict.fromkeys(months))
    return trends_from_aggregates(aggregate(facts, months), months, k, kind_order=kind_order,
                                  theme_order=theme_order, subtheme_order=subtheme_order,
                                  band_order=band_order, outcome_order=outcome_order)


def trends_from_aggregates(
    agg: Aggregates,
    months: list[str],
    k: int = DEFAULT_K,
    *,
    kind_order: Sequence[str] | None = None,
    theme_order: Sequence[str] | None = None,
    subtheme_order: Sequence[str] | None = None,
    band_order: Sequence[str] | None = BANDS,
    outcome_order: Sequence[str] | None = OUTCOMES,
) -> GroupTrends:
    """group_trends for counts that were aggregated elsewhere (e.g. by the database)."""
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    months = list(dict.fromkeys(months))
    orders = dict(zip(TABLES, (kind_order, theme_order, subtheme_order, band_order, outcome_order)))
    raw = {m: agg.cells.get(m, {}) for m in months}
    solved = {m: _solve_month(raw[m], agg.col_people.get(m, {}), orders, k) for m in months}
    occurring: dict[str, set[str]] = {t: set() for t in TABLES}
    for m in months:
        for t, r in raw[m]:
            occurring[t].add(r)
    tables = {t: _assemble(t, _rows(orders[t], occurring[t]), months, solved, agg.table_people.get(t, 0))
              for t in TABLES}
    return GroupTrends(months=months, k=k, contributors=agg.people, **tables)


def _csv_value(c: Cell, k: int) -> str:
    if not c.suppressed:
        return str(c.value)
    return f"<{k}" if c.reason == "primary" else "hidden"


def _csv_text(text: str) -> str:
    """Keep spreadsheet programs from reading a label as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv_rows(gt: GroupTrends, labels: Callable[[str], str]) -> list[list[str]]:
    """The same suppressed tables as rows for a CSV writer: "<k" where fewer than k
    contributors stand behind a cell, "hidden" where a cell is hidden to protect another.
    `labels` maps ids, table names and the words "table", "row", "total" and "contributors"
    to display text. No contributor ids ever appear."""
    out = [[_csv_text(labels("table")), _csv_text(labels("row")), *gt.months, _csv_text(labels("total"))]]
    for t in gt.tables():
        name = _csv_text(labels(t.name))
        for r in t.rows:
            out.append([name, _csv_text(labels(r)), *(_csv_value(t.cell(r, m), gt.k) for m in t.months),
                        _csv_value(t.row_totals[r], gt.k)])
        out.append([name, _csv_text(labels("total")), *(_csv_value(t.col_totals[m], gt.k) for m in t.months),
                    _csv_value(t.total, gt.k)])
        # Fewer than k people behind a whole table is itself a small cell ("one colleague reported").
        people = str(t.contributors) if t.contributors == 0 or t.contributors >= gt.k else f"<{gt.k}"
        out.append([name, _csv_text(labels("contributors")), *("" for _ in t.months), people])
    return out

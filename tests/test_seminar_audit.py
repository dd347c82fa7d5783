"""Disclosure audit across everything a lead can obtain for a group's year (issue 19, item 2).

For random groups, every fixed period a lead can ask for (the year, its terms, quarters and months)
is viewed, and every number on every table is written down as a linear form over the true monthly
counts. A lead who combines all of them at once (differencing periods, granularities and table pairs,
and the intensity = countertransference relation) must never be able to compute a number shown as
"<k" or "hidden": its form must not lie in the span of the shown ones. Exact elimination modulo a
large prime, as in domain/trends/suppression.py."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.trends import adaptive, periods
from domain.trends.facts import (
    COUNTERTRANSFERENCE,
    MERGED_SUFFIX,
    TABLES,
    EntryFact,
    ProcessFact,
    facts_for_entry,
    facts_for_process,
    merge_subtheme,
    theme_of_subtheme,
)
from domain.trends.headline import headline

YEAR = 2026
_P = 2**61 - 1
KINDS = ("hard_session", "countertransference", "ethical_dilemma", "bright_moment")
THEMES = ("t1", "t2", "t3")
SUBS = ("t1.a", "t1.b", "t2.a", "t3.a")  # "<theme>.<sub>": merging puts them under their theme
SUPPORTS = ("colleague", "supervision", "break")

entry = st.tuples(st.integers(0, 7), st.integers(1, 12), st.sampled_from(KINDS),
                  st.lists(st.sampled_from(THEMES), max_size=2), st.lists(st.sampled_from(SUBS), max_size=2),
                  st.none() | st.integers(0, 10), st.lists(st.sampled_from(SUPPORTS), max_size=2))
process = st.tuples(st.integers(0, 7), st.integers(1, 12), st.sampled_from(["ended_early", "reported", "completed"]))


def _facts(entries, procs):
    from datetime import date
    fs = []
    for who, month, kind, th, sub, intensity, sup in entries:
        e = EntryFact(day=date(YEAR, month, 3), kind=kind, themes=tuple(th), subthemes=tuple(sub),
                      intensity=intensity if kind == COUNTERTRANSFERENCE else None, supports=tuple(sup))
        fs += facts_for_entry(e, f"c{who}")
    for who, month, status in procs:
        fs += facts_for_process(ProcessFact.of("p", {"status": status}), f"{YEAR}-{month:02d}", f"c{who}")
    return fs


def _all_views(fs, k):
    rel = adaptive.release(YEAR, adaptive.counter(fs), k)
    year = periods.Period(YEAR, "year", 1)
    every = [year, *year.children()]
    every += [q for t in year.children() for q in t.children()]
    every += [m for q in every if q.level == "quarter" for m in q.children()]
    return [adaptive.view(rel, p, adaptive.bucket_aggregate(fs, {p.id: p.months()})) for p in every]


def _fine(table: str, row: str) -> list[str]:
    """A merged subtheme row ("t1.*") is the sum of its theme's subthemes."""
    if table == "subthemes" and row.endswith(MERGED_SUFFIX):
        return [s for s in SUBS if theme_of_subtheme(s) == row[:-len(MERGED_SUFFIX)]]
    return [row]


def _form(table: str, rows, months) -> dict:
    return {(table, f, m): 1 for r in rows for f in _fine(table, r) for m in months}


def _released(v):
    """(linear form, shown value or None) for every number of every table of one view."""
    out = []
    for t in v.ordered():
        blocks = {b: periods.parse(b).months() for b in t.months}
        for b, ms in blocks.items():
            for r in t.rows:
                out.append((_form(t.name, [r], ms), t.cell(r, b)))
            out.append((_form(t.name, t.rows, ms), t.col_totals[b]))
        every = [m for ms in blocks.values() for m in ms]
        for r in t.rows:
            out.append((_form(t.name, [r], every), t.row_totals[r]))
        out.append((_form(t.name, t.rows, every), t.total))
    return out


def _reduce(row: dict, basis: dict) -> dict:
    row = {c: v % _P for c, v in row.items() if v % _P}
    changed = True
    while changed:
        changed = False
        for col in list(row):
            if col in basis and row.get(col):
                f = row[col]
                for c, v in basis[col].items():
                    nv = (row.get(c, 0) - f * v) % _P
                    if nv:
                        row[c] = nv
                    else:
                        row.pop(c, None)
                changed = True
    return row


def _add(row: dict, basis: dict) -> None:
    row = _reduce(row, basis)
    if not row:
        return
    col = min(row)
    inv = pow(row[col], _P - 2, _P)
    row = {c: v * inv % _P for c, v in row.items()}
    for other in basis.values():  # keep the basis fully reduced so one pass of _reduce suffices
        if other.get(col):
            f = other[col]
            for c, v in row.items():
                nv = (other.get(c, 0) - f * v) % _P
                if nv:
                    other[c] = nv
                else:
                    other.pop(c, None)
    basis[col] = row


def _relations(fs, views):
    """Intensity total = countertransference count, for every block where it holds (the lead may know)."""
    from domain.trends.facts import classify
    out = []
    for v in views:
        for b in v.tables["intensity"].months:
            ms = periods.parse(b).months()
            bands = sum(1 for f in fs if f.month in ms and classify(f) and classify(f)[0] == "intensity")
            ct = sum(1 for f in fs if f.month in ms and classify(f) == ("kinds", COUNTERTRANSFERENCE))
            if bands == ct:
                rel = _form("intensity", v.tables["intensity"].rows, ms)
                rel.update({k: -1 for k in _form("kinds", [COUNTERTRANSFERENCE], ms)})
                out.append(rel)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=70), st.lists(process, max_size=6), st.integers(3, 6))
def test_nothing_hidden_can_be_worked_out_from_everything_released(entries, procs, k):
    fs = _facts(entries, procs)
    views = _all_views(fs, k)
    released = [x for v in views for x in _released(v)]
    # one block, one answer: the same cell reads the same in every period that shows it
    seen: dict = {}
    for form, cell in released:
        key = tuple(sorted(form))
        shown = None if cell.suppressed else cell.value
        assert seen.setdefault(key, shown) == shown
    basis: dict = {}
    for form, cell in released:
        if not cell.suppressed:
            _add(dict(form), basis)
    for rel in _relations(fs, views):
        _add(rel, basis)
    for form, cell in released:
        if cell.suppressed:
            assert _reduce(dict(form), basis), ("a hidden number can be worked out", sorted(form)[:3], cell)


@settings(max_examples=30, deadline=None)
@given(st.lists(entry, min_size=1, max_size=60), st.integers(3, 6))
def test_no_shown_number_rests_on_fewer_than_k_people_and_the_headline_uses_only_shown_ones(entries, k):
    fs = _facts(entries, [])
    from domain.trends.facts import classify
    for v in _all_views(fs, k):
        for t in v.ordered():
            for b in t.months:
                ms = periods.parse(b).months()
                for r in t.rows:
                    c = t.cell(r, b)
                    people = {f.contributor for f in fs if f.month in ms and _row(classify(f), v.merged) == (t.name, r)}
                    assert c.suppressed or c.value == 0 or len(people) >= k
        h = headline(v)
        for name, pairs in (("themes", h.themes), ("subthemes", h.subthemes), ("supports", h.supports)):
            for r, n in pairs:
                assert not v.tables[name].row_totals[r].suppressed and v.tables[name].row_totals[r].value == n


def _row(where, merged):
    if where and where[0] == "subthemes":
        return "subthemes", merge_subtheme(where[1], merged)
    return where


def test_a_small_group_is_coarsened_not_hidden():
    """Six people, a few entries a month each: months would be a wall of "<5"; the release merges
    into quarters or the half-year and the period totals are shown."""
    entries = [(who, month, kind, ["t1"], [], 5, ["colleague"])
               for who in range(6) for month in range(7, 13) for kind in KINDS[(who + month) % 2::2]]
    fs = _facts(entries, [])
    v = next(x for x in _all_views(fs, 5) if x.period.id == f"{YEAR}-T2")
    kinds = v.tables["kinds"]
    assert not kinds.total.suppressed and kinds.total.value == len(entries)
    assert all(not kinds.row_totals[r].suppressed for r in kinds.rows)
    assert set(TABLES) == set(v.tables)
    h = headline(v)
    assert h.themes == [("t1", len(entries))] and h.supports == [("colleague", len(entries))]


def test_subthemes_too_few_apart_are_counted_together_under_their_theme():
    """Six people, each subtheme of t1 chosen by three of them: at k = 4 no subtheme can be shown
    apart, but t1's subthemes together rest on all six; t2.a (five people) stays on its own."""
    entries = [(who, 8, "hard_session", [], ["t1.a" if who < 3 else "t1.b"], None, [])
               for who in range(6)]
    entries += [(who, 9, "hard_session", [], ["t2.a"], None, []) for who in range(5)]
    fs = _facts(entries, [])
    v = next(x for x in _all_views(fs, 4) if x.period.id == f"{YEAR}-T2")
    subs = v.tables["subthemes"]
    assert v.merged == {"t1"}
    assert "t1.a" not in subs.rows and "t1.b" not in subs.rows
    assert subs.row_totals["t1.*"].value == 6 and subs.row_totals["t2.a"].value == 5
    assert headline(v).subthemes == [("t2.a", 5)]     # the merged row is not a subtheme
    # the same group at k = 3 shows every subtheme apart
    v3 = next(x for x in _all_views(fs, 3) if x.period.id == f"{YEAR}-T2")
    assert not v3.merged and v3.tables["subthemes"].row_totals["t1.a"].value == 3


def _tagged(pairs, tag: str):
    """Forms whose second-half-year months are a release's own (their counts differ between two
    releases); the first half-year's months are shared (its counts did not change)."""
    return [({(t, r, m + tag if m >= f"{YEAR}-07" else m): v for (t, r, m), v in form.items()}, cell)
            for form, cell in pairs]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry, min_size=1, max_size=50), st.lists(entry, max_size=30), st.integers(3, 5))
def test_a_later_release_gives_no_hidden_number_of_a_finished_half_year_away(first, later, k):
    """New facts in July-December can change which themes are merged, and so how January-June is
    shown. Both releases together still never give a number resting on fewer than k people."""
    later = [(who, 7 + month % 6, *rest) for who, month, *rest in later]
    releases = []
    for tag, fs in (("a", _facts(first, [])), ("b", _facts(first + later, []))):
        views = _all_views(fs, k)
        releases.append((_tagged([x for v in views for x in _released(v)], tag),
                         [{(t, r, m + tag if m >= f"{YEAR}-07" else m): c for (t, r, m), c in rel.items()}
                          for rel in _relations(fs, views)]))
    basis: dict = {}
    for released, relations in releases:
        for form, cell in released:
            if not cell.suppressed:
                _add(dict(form), basis)
        for rel in relations:
            _add(rel, basis)
    for released, _ in releases:
        for form, cell in released:
            if cell.reason == "primary":
                assert _reduce(dict(form), basis), ("a number below k can be worked out", sorted(form)[:3])

"""Trend counting: personal counts (domain/trends/personal.py) and the k-anonymous group tables
(facts.py, group_tables.py, suppression.py)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.trends.facts import (
    BANDS,
    KINDS,
    EntryFact,
    GroupFact,
    ProcessFact,
    facts_for_entry,
    facts_for_process,
    intensity_band,
    months_back,
)
from domain.trends.group_tables import group_trends, to_csv_rows
from domain.trends.personal import personal_trends
from domain.trends.suppression import DEFAULT_K, MIN_K, Cell

CT = "countertransference"
M1, M2, M3 = "2025-01", "2025-02", "2025-03"


# --------------------------------------------------------------------------- months_back


def test_months_back_counts_back_over_a_year_boundary():
    assert months_back(date(2025, 2, 10), 3, None) == ["2024-12", "2025-01", "2025-02"]
    assert months_back(date(2025, 2, 10), 1, date(2020, 1, 1)) == ["2025-02"]
    thirteen = months_back(date(2025, 1, 31), 13, None)
    assert thirteen[0] == "2024-01" and thirteen[-1] == "2025-01" and len(thirteen) == 13


def test_months_back_none_reaches_the_earliest_month_and_at_least_the_current():
    since_november = months_back(date(2025, 2, 10), None, date(2024, 11, 30))
    assert since_november == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert months_back(date(2025, 2, 10), None, None) == ["2025-02"]
    assert months_back(date(2025, 2, 10), None, date(2025, 5, 1)) == ["2025-02"]
    assert months_back(date(2025, 2, 10), None, date(2025, 2, 28)) == ["2025-02"]


def test_months_back_rejects_an_empty_period():
    with pytest.raises(ValueError):
        months_back(date(2025, 2, 10), 0, None)


# --------------------------------------------------------------------------- personal trends


def _journal():
    return [
        EntryFact(date(2024, 12, 20), "hard_session", ("t1",), (), None, ("anger",), "yes", None),
        EntryFact(date(2025, 1, 5), CT, ("t1", "t4"), ("s1",), 7, ("sad", "anger"), "no", "p1"),
        EntryFact(date(2025, 1, 20), CT, ("t4",), (), 3, ("sad",), "urgent", "p1"),
        EntryFact(date(2025, 2, 2), "bright_moment", ("t3",), (), None, ("joy",), "no", None),
        EntryFact(date(2025, 3, 1), "ethical_dilemma", ("t1",), ("s2",), None, ("worry", "anger"), "yes"),
        EntryFact(date(2025, 3, 10), CT, (), (), 3, ("anger", "sad"), "no", None),
        EntryFact(date(2025, 3, 12), "bright_moment", (), (), None, (), "no", None),
    ]


PROCESSES = [ProcessFact.of("p1", {"status": "ongoing"}), ProcessFact.of("p2", {"status": "ended_early"}), ProcessFact.of("p3", {"status": "ended_early"})]


def test_personal_trends_counts_only_the_period():
    pt = personal_trends(_journal(), PROCESSES, date(2025, 3, 15), 3)
    assert pt.months == [M1, M2, M3]
    assert pt.total == 6
    assert pt.by_kind.rows == ["bright_moment", CT, "ethical_dilemma"]  # hard_session lies before the period
    assert pt.by_kind.get(CT, M1) == 2 and pt.by_kind.get(CT, M2) == 0 and pt.by_kind.get(CT, M3) == 1
    assert pt.by_kind.row_total(CT) == 3 and pt.by_kind.col_total(M3) == 3 and pt.by_kind.total == 6
    assert pt.by_theme.rows == ["t1", "t3", "t4"]
    assert pt.by_theme.get("t4", M1) == 2 and pt.by_theme.get("t1", M3) == 1
    assert pt.by_theme.row_total("t1") == 2 and pt.by_theme.col_total(M1) == 3
    assert pt.by_subtheme.rows == ["s1", "s2"] and pt.by_subtheme.total == 2


def test_personal_trends_intensity_feelings_supervision_processes():
    pt = personal_trends(_journal(), PROCESSES, date(2025, 3, 15), 3)
    assert pt.intensity_hist == {i: {3: 2, 7: 1}.get(i, 0) for i in range(11)}
    assert pt.intensity_by_month == [(M1, 5.0, 2), (M2, None, 0), (M3, 3.0, 1)]
    assert pt.top_feelings == [("anger", 3), ("sad", 3), ("joy", 1), ("worry", 1)]
    assert pt.outcomes == {"reported": 0, "ended_early": 2, "ended_as_planned": 0} and pt.open_processes == 1
    assert pt.waiting_for_supervision == 3  # the December "yes" counts too
    assert pt.urgent == 1
    assert pt.bright_vs_heavy == [(M1, 0, 2), (M2, 1, 0), (M3, 1, 2)]


def test_personal_trends_whole_history_and_row_orders():
    pt = personal_trends(_journal(), [], date(2025, 3, 15), None, kind_order=KINDS, theme_order=["t4", "t1"])
    assert pt.months == ["2024-12", M1, M2, M3]
    assert pt.total == 7
    assert pt.by_kind.rows == list(KINDS)
    assert pt.by_theme.rows == ["t4", "t1", "t3"]  # given order first, the rest sorted
    assert pt.top_feelings[0] == ("anger", 4)
    assert pt.outcomes == {"reported": 0, "ended_early": 0, "ended_as_planned": 0}


def test_top_feelings_break_ties_by_id_and_keep_eight():
    day = date(2025, 3, 1)
    entries = [EntryFact(day, "hard_session", feelings=(f"f{i}",)) for i in (9, 3, 7, 1, 5, 0, 8, 2, 6, 4)]
    entries.append(EntryFact(date(2025, 3, 2), "hard_session", feelings=("f8", "f8")))  # once per entry
    pt = personal_trends(entries, [], date(2025, 3, 15), 1)
    assert pt.top_feelings == [("f8", 2)] + [(f"f{i}", 1) for i in range(7)]


def test_personal_trends_of_nothing():
    pt = personal_trends([], [], date(2025, 3, 15), None)
    assert pt.months == [M3] and pt.total == 0 and pt.top_feelings == []
    assert pt.intensity_by_month == [(M3, None, 0)] and pt.by_kind.rows == []


# --------------------------------------------------------------------------- group facts


def test_intensity_bands():
    assert [intensity_band(i) for i in range(11)] == ["0-2"] * 3 + ["3-5"] * 3 + ["6-8"] * 3 + ["9-10"] * 2
    with pytest.raises(ValueError):
        intensity_band(11)


def test_facts_for_entry_and_process():
    e = EntryFact(date(2025, 1, 5), CT, ("t1", "t4"), ("s1",), 7, ("sad",), "yes", "p1")
    assert facts_for_entry(e, "x") == [
        GroupFact("x", M1, CT),
        GroupFact("x", M1, CT, theme="t1"),
        GroupFact("x", M1, CT, theme="t4"),
        GroupFact("x", M1, CT, subtheme="s1"),
        GroupFact("x", M1, CT, intensity_band="6-8"),
    ]
    assert facts_for_entry(EntryFact(date(2025, 1, 5), "hard_session", intensity=7), "x") == [
        GroupFact("x", M1, "hard_session")
    ]
    assert facts_for_process(ProcessFact.of("p", {"status": "reported"}), M1, "x") == [
        GroupFact("x", M1, "process", outcome="reported")
    ]
    assert facts_for_process(ProcessFact.of("p", {"status": "ongoing"}), M1, "x") == []


# --------------------------------------------------------------------------- group tables


def _entries(kind, people, month=M1, **kw):
    day = date(int(month[:4]), int(month[5:]), 3)
    return [f for p in people for f in facts_for_entry(EntryFact(day, kind, **kw), p)]


def _people(n, prefix="p"):
    return [f"{prefix}{i}" for i in range(n)]


def test_k_below_minimum_is_refused():
    with pytest.raises(ValueError):
        group_trends([], [M1], MIN_K - 1)
    assert group_trends([], [M1]).k == DEFAULT_K


def test_primary_suppression_with_known_counts_and_zero_cells_shown():
    facts = (
        _entries("hard_session", _people(5))
        + _entries(CT, _people(2, "q"), intensity=7)
        + _entries("ethical_dilemma", ["r0"])
    )
    gt = group_trends(facts, [M1], 3, kind_order=KINDS)
    kinds = gt.kinds
    assert kinds.cell("hard_session", M1) == Cell(5)
    assert kinds.cell(CT, M1) == Cell(None, True, "primary")
    assert kinds.cell("ethical_dilemma", M1) == Cell(None, True, "primary")
    assert kinds.cell("bright_moment", M1) == Cell(0)  # zero reveals no one
    assert kinds.col_totals[M1] == Cell(8)  # 8 people; the two hidden cells only sum to 3
    assert kinds.contributors == 8 and gt.contributors == 8
    bands = gt.intensity
    assert bands.rows == list(BANDS)
    assert bands.cell("6-8", M1) == Cell(None, True, "primary")
    assert bands.col_totals[M1] == Cell(None, True, "primary")
    assert [bands.cell(b, M1) for b in ("0-2", "3-5", "9-10")] == [Cell(0)] * 3
    assert gt.outcomes.col_totals[M1] == Cell(0) and gt.themes.rows == []


def test_row_period_total_hidden_when_any_month_cell_is_hidden():
    facts = (
        _entries("hard_session", _people(4), M1)
        + _entries("hard_session", ["p0"], M2)
        + _entries("hard_session", _people(2, "x"), M2)
        + _entries("bright_moment", _people(3, "b"), M1)
        + _entries("bright_moment", _people(3, "b"), M2)
    )
    gt = group_trends(facts, [M1, M2], 3)
    kinds = gt.kinds
    assert kinds.cell("hard_session", M1) == Cell(4)
    assert kinds.cell("hard_session", M2) == Cell(3)
    assert kinds.row_totals["hard_session"] == Cell(7)
    assert kinds.row_totals["bright_moment"] == Cell(6)
    # now one month cell is hidden: the period total would give it away by differencing
    facts2 = (
        facts
        + _entries("ethical_dilemma", _people(2, "e"), M2)
        + _entries("ethical_dilemma", _people(3, "e"), M1)
    )
    kinds2 = group_trends(facts2, [M1, M2], 3).kinds
    assert kinds2.cell("ethical_dilemma", M1) == Cell(3)
    assert kinds2.cell("ethical_dilemma", M2).suppressed
    assert kinds2.row_totals["ethical_dilemma"] == Cell(None, True, "complementary")
    assert kinds2.total.suppressed == any(c.suppressed for c in kinds2.col_totals.values())


def test_complementary_suppression_when_one_cell_in_a_column_is_hidden():
    facts = _entries("hard_session", _people(5), themes=("t1",))
    facts += _entries("hard_session", ["z"], themes=("t2",))
    themes = group_trends(facts, [M1], 3).themes
    assert themes.cell("t2", M1) == Cell(None, True, "primary")
    # total 6 is shown, so t2 = 6 - t1 unless t1 is hidden too
    assert themes.col_totals[M1] == Cell(6)
    assert themes.cell("t1", M1) == Cell(None, True, "complementary")
    assert themes.row_totals["t1"].suppressed and themes.total == Cell(6)


def test_cross_table_relation_between_intensity_bands_and_countertransference():
    # One person's hard session must be hidden, and one more kinds cell with it. The smallest
    # is countertransference (5), but it equals the shown band total (every one of those
    # entries has an intensity), so hiding it would not help: the next one is hidden instead.
    facts = (
        _entries("hard_session", ["lonely"])
        + _entries(CT, _people(5), intensity=7)
        + _entries("bright_moment", _people(7, "b"))
    )
    gt = group_trends(facts, [M1], 5)
    assert gt.kinds.cell("hard_session", M1) == Cell(None, True, "primary")
    assert gt.kinds.cell(CT, M1) == Cell(5)
    assert gt.intensity.col_totals[M1] == Cell(5)
    assert gt.kinds.cell("bright_moment", M1) == Cell(None, True, "complementary")
    assert gt.kinds.col_totals[M1] == Cell(13)
    assert _undetermined_violations(gt, facts) == []


def test_cross_relation_is_not_assumed_when_intensity_was_left_out():
    # The two countertransference entries have no intensity: band total 0 says nothing about
    # the hidden cell, so only the kinds column needs a second hidden cell.
    facts = _entries("hard_session", _people(5)) + _entries(CT, _people(2, "q"))
    gt = group_trends(facts, [M1], 3)
    assert gt.kinds.cell(CT, M1) == Cell(None, True, "primary")
    assert gt.kinds.cell("hard_session", M1) == Cell(None, True, "complementary")
    assert gt.kinds.col_totals[M1] == Cell(7)
    assert gt.intensity.col_totals[M1] == Cell(0)


def test_months_do_not_change_with_the_period():
    # January: one person's hard session must be hidden, countertransference (= band total)
    # cannot cover it, so January hides its kinds total. A bright-moment row that exists only
    # because of February must not offer January a zero cell to hide instead.
    facts = (
        _entries("hard_session", ["lonely"], M1)
        + _entries(CT, _people(5), M1, intensity=4)
        + _entries("bright_moment", _people(6), M2, themes=("t1",))
        + _entries("hard_session", _people(2), M2)
    )
    both = group_trends(facts, [M1, M2], 3)
    assert both.kinds.cell("hard_session", M1) == Cell(None, True, "primary")
    assert both.kinds.cell(CT, M1) == Cell(5)
    assert both.kinds.cell("bright_moment", M1) == Cell(0)
    assert both.kinds.col_totals[M1] == Cell(None, True, "complementary")
    for month in (M1, M2):
        alone = group_trends(facts, [month], 3)
        for full, part in zip(both.tables(), alone.tables()):
            assert part.col_totals[month] == full.col_totals[month]
            for row in set(part.rows) | set(full.rows):
                assert part.cell(row, month) == full.cell(row, month)
    # with the catalogue order passed in, a zero cell (the first: ethical dilemma) is hidden instead
    listed = group_trends(facts, [M1], 3, kind_order=KINDS).kinds
    assert listed.col_totals[M1] == Cell(6)
    assert [listed.cell(kind, M1).suppressed for kind in KINDS] == [True, False, True, False]


def test_csv_rows_show_the_suppressed_table_without_ids():
    facts = _entries("hard_session", _people(5, "secret-")) + _entries(CT, ["secret-x"], intensity=9)
    gt = group_trends(facts, [M1], 5)
    rows = to_csv_rows(gt, lambda i: {"hard_session": "Hard session", "=evil": "=evil"}.get(i, i))
    flat = [v for r in rows for v in r]
    assert not any("secret" in v for v in flat)
    assert rows[0] == ["table", "row", M1, "total"]
    assert ["kinds", CT, "<5", "hidden"] in rows
    assert ["kinds", "Hard session", "hidden", "hidden"] in rows  # else CT = total - hard
    assert ["kinds", "total", "6", "6"] in rows
    assert ["intensity", "9-10", "<5", "hidden"] in rows and ["intensity", "total", "<5", "hidden"] in rows
    assert ["kinds", "contributors", "", "6"] in rows
    assert all(len(r) == 4 for r in rows)
    evil = to_csv_rows(group_trends(_entries("x", _people(5), themes=("=evil",)), [M1]), str)
    assert ["themes", "'=evil", "5", "5"] in evil


def test_catalogue_sized_table_is_complete():
    subs = [f"s{i}" for i in range(26)]
    themes = ["t1", "t2", "t3", "t4"]
    months = [f"2025-{i:02d}" for i in range(1, 13)]
    facts = []
    for i in range(1500):
        kind = KINDS[i % 4]
        day = date(2025, i % 12 + 1, 1)
        tags = (themes[i % 4],), (subs[i % 26], subs[(i * 7) % 26])
        e = EntryFact(day, kind, *tags, i % 11 if kind == CT else None)
        facts += facts_for_entry(e, f"p{(i * 13) % 9}")
        if i % 10 == 0:
            facts += facts_for_process(ProcessFact.of("p", {"status": "ended_early"}), months[i % 12], f"p{i % 4}")
    # Its time is measured in bench/timing_checks.py; here: the whole catalogue comes out, in order.
    gt = group_trends(facts, months, 5, kind_order=KINDS, theme_order=themes, subtheme_order=subs)
    assert gt.contributors == 9 and gt.months == months
    assert gt.kinds.rows == list(KINDS) and gt.themes.rows == themes and gt.subthemes.rows == subs
    for table in gt.tables():
        assert set(table.cells) <= {(r, m) for r in table.rows for m in months}
        assert all(c.suppressed or isinstance(c.value, int) for c in table.cells.values())


# --------------------------------------------------------------------------- properties
#
# An independent audit of what group_trends returns: the test lists every linear relation a
# reader can see in the output and checks, with exact rational elimination, that no hidden
# cell follows from the shown ones.


def _table_of(f: GroupFact):
    """The table a fact counts in, written here apart from facts.classify so the audit is independent."""
    tagged = (("outcomes", f.outcome), ("intensity", f.intensity_band), ("themes", f.theme), ("subthemes", f.subtheme))
    for table, row in tagged:
        if row is not None:
            return table, row
    return None if f.kind == "process" else ("kinds", f.kind)


def _variables(gt):
    """Every published figure: name -> Cell."""
    out = {}
    for t in gt.tables():
        for m in t.months:
            out[("col", t.name, m)] = t.col_totals[m]
            for r in t.rows:
                out[("cell", t.name, r, m)] = t.cell(r, m)
        for r in t.rows:
            out[("rowsum", t.name, r)] = t.row_totals[r]
        out[("sum", t.name)] = t.total
    return out


def _relations(gt, facts):
    """Every relation a reader knows holds between published figures."""
    rels = []
    for t in gt.tables():
        for m in t.months:
            rels.append({("col", t.name, m): 1, **{("cell", t.name, r, m): -1 for r in t.rows}})
        for r in t.rows:
            rels.append({("rowsum", t.name, r): 1, **{("cell", t.name, r, m): -1 for m in t.months}})
        rels.append({("sum", t.name): 1, **{("col", t.name, m): -1 for m in t.months}})
        rels.append({("sum", t.name): 1, **{("rowsum", t.name, r): -1 for r in t.rows}})
    truth = _people_behind(facts, gt)
    for m in gt.months:  # band total = countertransference cell, in the months where it is true
        if truth.get(("col", "intensity", m), (0,))[0] == truth.get(("cell", "kinds", CT, m), (0,))[0]:
            ct = {("cell", "kinds", CT, m): -1} if CT in gt.kinds.rows else {}
            rels.append({("col", "intensity", m): 1, **ct})
    return rels


def _reduced_basis(relations, hidden):
    """Gauss-Jordan with Fractions over the hidden columns: pivot -> row, each pivot zero in
    every other row."""
    pivots: dict = {}
    for rel in relations:
        row = {v: Fraction(c) for v, c in rel.items() if v in hidden}
        for p, prow in pivots.items():
            if row.get(p):
                row = _minus(row, row[p], prow)
        if not row:
            continue
        p = min(row, key=str)
        row = {v: c / row[p] for v, c in row.items()}
        for q, qrow in list(pivots.items()):
            if qrow.get(p):
                pivots[q] = _minus(qrow, qrow[p], row)
        pivots[p] = row
    return pivots


def _minus(row, factor, other):
    out = {v: row.get(v, 0) - factor * other.get(v, 0) for v in set(row) | set(other)}
    return {v: c for v, c in out.items() if c}


def _undetermined_violations(gt, facts):
    """Hidden figures that the shown ones pin down (should be none): the unit vector of a
    hidden figure must not lie in the row space of the relations over the hidden figures."""
    variables = _variables(gt)
    hidden = {v for v, c in variables.items() if c.suppressed}
    pivots = _reduced_basis(_relations(gt, facts), hidden)
    bad = []
    for v in sorted(hidden, key=str):
        rest = {v: Fraction(1)}
        for p, prow in pivots.items():
            if rest.get(p):
                rest = _minus(rest, rest[p], prow)
        if not rest:
            bad.append(v)
    return bad


def _people_behind(facts, gt):
    """Independent counts and contributor sets for every published figure."""
    cells: dict = {}
    inside = set(gt.months)
    for f in facts:
        where = _table_of(f)
        if where is None or f.month not in inside:
            continue
        t, r = where
        for key in (("cell", t, r, f.month), ("col", t, f.month), ("rowsum", t, r), ("sum", t)):
            n, people = cells.get(key, (0, set()))
            cells[key] = (n + 1, people | {f.contributor})
    return cells


ALL_MONTHS = ["2024-11", "2024-12", "2025-01", "2025-02"]

entry_strategy = st.builds(
    lambda who, month, kind, themes, subthemes, intensity: (who, month, kind, themes, subthemes, intensity),
    st.integers(0, 11),
    st.integers(0, 3),
    st.sampled_from(KINDS),
    st.lists(st.sampled_from(["t1", "t2", "t3"]), max_size=2, unique=True),
    st.lists(st.sampled_from(["s1", "s2", "s3"]), max_size=2, unique=True),
    st.sampled_from([None, *range(11)]),  # now and then a countertransference entry without intensity
)


@st.composite
def group_data(draw):
    people = draw(st.integers(1, 12))
    n_months = draw(st.integers(1, 4))
    months = ALL_MONTHS[:n_months]
    facts = []
    for who, month, kind, themes, subthemes, intensity in draw(st.lists(entry_strategy, max_size=60)):
        m = months[month % n_months]
        e = EntryFact(date(int(m[:4]), int(m[5:]), 9), kind, tuple(themes), tuple(subthemes), intensity)
        facts += facts_for_entry(e, f"c{who % people}")
    statuses = st.sampled_from(["ongoing", "ended_early", "reported"])
    process = st.tuples(st.integers(0, 11), st.integers(0, 3), statuses)
    for who, month, status in draw(st.lists(process, max_size=8)):
        facts += facts_for_process(ProcessFact.of("p", {"status": status}), months[month % n_months], f"c{who % people}")
    k = draw(st.integers(3, 6))
    orders = draw(st.sampled_from([{}, {"kind_order": KINDS, "theme_order": ["t3", "t1", "t2"]}]))
    return facts, months, k, orders


@settings(max_examples=150, deadline=None)
@given(group_data())
def test_no_shown_figure_rests_on_fewer_than_k_people(data):
    facts, months, k, orders = data
    gt = group_trends(facts, months, k, **orders)
    behind = _people_behind(facts, gt)
    for key, cell in _variables(gt).items():
        n, people = behind.get(key, (0, set()))
        if cell.suppressed:
            assert cell.value is None and cell.reason in ("primary", "complementary")
            continue
        assert cell.value == n, key
        assert n == 0 or len(people) >= k, key
    assert gt.contributors == len({f.contributor for f in facts if f.month in months})


@settings(max_examples=150, deadline=None)
@given(group_data())
def test_no_hidden_figure_can_be_recomputed(data):
    facts, months, k, orders = data
    gt = group_trends(facts, months, k, **orders)
    assert _undetermined_violations(gt, facts) == []


@settings(max_examples=150, deadline=None)
@given(group_data(), st.data())
def test_a_months_cells_do_not_depend_on_the_period(data, more):
    facts, months, k, orders = data
    period = more.draw(st.lists(st.sampled_from(months), min_size=1, unique=True))
    full = group_trends(facts, months, k, **orders)
    part = group_trends(facts, period, k, **orders)
    for whole, piece in zip(full.tables(), part.tables()):
        for m in period:
            assert piece.col_totals[m] == whole.col_totals[m]
            for row in set(piece.rows) | set(whole.rows):
                assert piece.cell(row, m) == whole.cell(row, m)

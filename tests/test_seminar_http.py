"""Seminar trends a lead can use (issue 19) and supports and outcomes counted (issue 15.4, 15.7):
a six-member group's half-year shows period totals and a headline; the handout is one A4 page
with charts (text and pixels checked); supports and the two outcomes are counted under k."""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from domain.core.db import db, utcnow
from domain.core.models import TrendFact, User
from domain.groups import contributions as trend_store
from domain.groups import membership as groups
from domain.groups import merged_counts
from domain.trends import adaptive, periods
from domain.trends.facts import EntryFact, GroupFact, ProcessFact
from domain.trends.personal import personal_trends
from tests.test_groups_http import (
    HS,
    login_client,
    make_user,
    month_day,
    pdf_pages,
    pdf_text,
    seminar,
    text,
)


def test_a_six_member_half_year_shows_period_totals_and_a_headline(app, client):
    s = seminar(app)
    c, _ = login_client(app, "lead")
    html = text(c.get(f"/groups/{s['gid']}/trends"))
    assert "Worth discussing" in html and "entries were logged in this period." in html
    assert "Themes logged most:" in html and '<ul class="hbars"' in html and "<svg" in html
    # every table with facts says how it was cut, and the kinds' period total is a number
    assert html.count('<p class="grain">Shown ') >= 4
    kinds = html.split("<h2>Entry kinds</h2>", 1)[1].split("</table>", 1)[0]
    total = re.search(r'<tr class="total">.*?</tr>', kinds, re.DOTALL).group(0)
    assert re.search(r"<td>\d+</td>\s*(<td>\d+</td>)?\s*</tr>", total), total
    assert html.count(">hidden<") <= 3, html.count(">hidden<")
    assert "Fokus's own summaries" in html or "Fokus&#39;s own summaries" in html


def _ink_and_pages(pdf: bytes) -> tuple[int, int]:
    """(dark pixels on page 1, pages rendered) by poppler; the test needs pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "h.pdf").write_bytes(pdf)
        subprocess.run([pdftoppm, "-r", "30", "-gray", str(Path(tmp, "h.pdf")), str(Path(tmp, "p"))],
                       check=True, timeout=60)
        pages = sorted(Path(tmp).glob("p*.pgm"))
        data = pages[0].read_bytes()
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    pixels = data[m.end():]
    return sum(1 for p in pixels if p < 160), len(pages)


def test_the_handout_is_one_page_with_charts_and_tables_only_when_asked(app, client):
    s = seminar(app)
    c, _ = login_client(app, "lead")
    pdf = c.get(f"/groups/{s['gid']}/handout.pdf").data
    assert pdf_pages(pdf) == 1
    words = pdf_text(pdf)
    for shown in ("Seminar handout: " + s["name"], "Period: ", "Contributors: 6.", "In short",
                  "entries were logged in this period.", "Themes logged most", "Fokus's own summaries"):
        assert shown in words, shown
    assert "hidden" not in words and "<5" not in words           # no wall of suppressed cells
    assert len(re.findall(rb"re\s+f", _inflated(pdf))) >= 2       # bars are drawn
    dark, pages = _ink_and_pages(pdf)
    assert pages == 1 and dark > 500
    both = c.get(f"/groups/{s['gid']}/handout.pdf?tables=1").data
    assert pdf_pages(both) == 2 and "Entry kinds" in pdf_text(both) and "Entry kinds" not in words


def _inflated(pdf: bytes) -> bytes:
    import zlib
    out = b""
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            out += zlib.decompress(raw)
        except zlib.error:
            out += raw
    return out


def _group_with(app, n: int, data_for) -> str:
    """A lead and n members who consent with the entries and processes data_for(i) returns."""
    lead_uid, lead_key = make_user(app, "lead")
    with app.app_context():
        from blueprints import guards
        secret = guards.server_secret()
        group = groups.create(db.session.get(User, lead_uid), lead_key, "Supports seminar", 5, secret)
        db.session.flush()
        _inv, token = groups.invite(groups.membership(db.session.get(User, lead_uid), lead_key, group.id), True, 14)
        gid = group.id
        db.session.commit()
    for i in range(1, n + 1):
        uid, key = make_user(app, f"m{i}")
        with app.app_context():
            user = db.session.get(User, uid)
            groups.join(token, user, key, secret)
            db.session.flush()
            entries, procs = data_for(i)
            trend_store.consent(groups.membership(user, key, gid), key, entries, procs)
            db.session.commit()
    return gid


def test_supports_and_outcomes_are_counted_under_k_on_page_and_in_the_database(app, client):
    day = month_day(0)

    def data_for(i):
        helped = ["colleague"] + (["supervision"] if i <= 5 else [])
        entries = [(f"e{i}", {"kind": HS, "visit_date": day.isoformat(), "themes": ["coercive_context"],
                              "supports": helped}, day)]
        both = {"reported": "yes", "reported_on": day.isoformat(), "ended": "early", "ended_on": day.isoformat()}
        return entries, ([(f"p{i}", both, day.strftime("%Y-%m"))] if i == 1 else [])
    gid = _group_with(app, 6, data_for)
    c, _ = login_client(app, "lead")
    html = text(c.get(f"/groups/{gid}/trends"))
    helped = html.split("<h2>What helped</h2>", 1)[1].split("</table>", 1)[0]
    assert re.search(r"A colleague</th>.*?<td>6</td>", helped, re.DOTALL)
    assert re.search(r"Supervision</th>.*?<td>5</td>", helped, re.DOTALL)
    assert "What helped: A colleague (6), Supervision (5). Beside 6 heavy entries." in html
    outcomes = html.split("<h2>Process outcomes</h2>", 1)[1].split("</table>", 1)[0]
    assert outcomes.count("&lt;5") >= 2 and ">1<" not in outcomes      # one person: never shown as 1
    with app.app_context():
        p = periods.default(utcnow().date())
        buckets = {b.id: b.months() for b in p.children()}
        agg = trend_store.bucket_aggregates(gid, buckets)
        key = next(iter(b for b in buckets if day.strftime("%Y-%m") in buckets[b]))
        assert agg.cells[key][("supports", "colleague")] == (6, 6)
        assert agg.cells[key][("supports", "supervision")] == (5, 5)
        assert agg.cells[key][("outcomes", "reported")] == (1, 1)
        assert agg.cells[key][("outcomes", "ended_early")] == (1, 1)
        assert agg.col_people[key]["supports"] == 6


def test_personal_trends_count_supports_and_both_outcomes():
    today = date(2026, 11, 20)
    entries = [EntryFact(day=today, kind=HS, supports=("colleague", "break")),
               EntryFact(day=today, kind="countertransference", supports=("colleague",)),
               EntryFact(day=today, kind="bright_moment")]
    procs = [ProcessFact.of("a", {"reported": "yes", "ended": "early"}), ProcessFact.of("b", {"status": "reported"}),
             ProcessFact.of("c", {"status": "completed"}), ProcessFact.of("d", {})]
    pt = personal_trends(entries, procs, today, 3)
    assert pt.by_support.row_total("colleague") == 2 and pt.by_support.row_total("break") == 1
    assert pt.strain == 2
    assert pt.outcomes == {"reported": 2, "ended_early": 1, "ended_as_planned": 1}
    assert pt.open_processes == 2                   # "b" was reported but not ended; "d" has nothing


def test_the_pure_release_equals_the_database_release(app, client):
    s = seminar(app)
    with app.app_context():
        p = periods.default(utcnow().date())
        # the one-read counter the page uses counts every level, with and without merged
        # subthemes, as the fact rows themselves do
        year = periods.Period(p.year, "year", 1)
        counter = merged_counts.read(s["gid"], p.year)
        facts = [GroupFact(*r) for r in db.session.execute(
            select(TrendFact.pseudonym, TrendFact.month, TrendFact.kind, TrendFact.theme, TrendFact.subtheme,
                   TrendFact.band, TrendFact.outcome).where(TrendFact.group_id == s["gid"]))]
        rel = adaptive.release(p.year, counter, 5)
        v = adaptive.view(rel, p, trend_store.bucket_aggregates(s["gid"], {p.id: p.months()}))
        pure = adaptive.release(p.year, adaptive.counter(facts), 5)
        assert rel.merged == pure.merged and rel.partition == pure.partition
        assert adaptive.view(pure, p, adaptive.bucket_aggregate(facts, {p.id: p.months()})).tables == v.tables
        themes = sorted({f.subtheme.split(".")[0] for f in facts if f.subtheme})
        assert themes
        quarters = [q for t in year.children() for q in t.children()]
        for merged in (frozenset(), frozenset(themes[:1]), frozenset(themes)):
            for level in (year.children(), quarters, [m for q in quarters for m in q.children()], [year]):
                buckets = {b.id: b.months() for b in level}
                mine, oracle = counter(buckets, merged), adaptive.bucket_aggregate(facts, buckets, merged)
                assert mine.cells == oracle.cells
                assert {b: {t: n for t, n in c.items() if n} for b, c in mine.col_people.items()} == \
                    {b: {t: n for t, n in c.items() if n} for b, c in oracle.col_people.items()}
                assert mine.table_people == {t: n for t, n in oracle.table_people.items() if n}
    assert v.contributors == 6 and not v.tables["kinds"].total.suppressed


@pytest.mark.parametrize("k, merged", [(5, True), (3, False)])
def test_a_subtheme_too_few_apart_is_shown_under_its_theme(app, client, k, merged):
    """At k = 5 the one subtheme (four people chose it) cannot be shown on its own: the page shows
    its theme's subthemes together and says so; at k = 3 it stands on its own."""
    s = seminar(app, k=k)
    term = periods.containing(month_day(1), "term")
    c, _a = login_client(app, "lead")
    page = text(c.get(f"/groups/{s['gid']}/trends?period={term.id}"))
    assert ("Coercive context: subthemes together" in page) is merged
    assert ("Subthemes are counted together under: Coercive context." in page) is merged
    assert ("Whether to report" in page) is not merged

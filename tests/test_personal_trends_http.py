"""The personal trends page (/trends): known counts for every period from entries made through the
domain, only the logged-in therapist's saved entries, SVG charts each with a data table, login."""
from __future__ import annotations

import re

import pytest

from tests.test_groups_http import BM, CT, ED, HS, _cell_text, entry, login_client, make_user, month, text

# months back -> entries (saved) of the therapist
MINE = [
    entry(HS, 0, themes=["coercive_context"], supervision="yes"),
    entry(HS, 0, subthemes=["coercive_context.whether_to_report"]),
    entry(CT, 0, themes=["therapist_feelings"], intensity=8, feelings=["helplessness", "anger"]),
    entry(BM, 0, themes=["positive_moments"]),
    entry(BM, 2, themes=["positive_moments"]),
    entry(ED, 2, supervision="urgent"),
    entry(HS, 4, themes=["safe_alliance"]),
    entry(CT, 8, intensity=3, feelings=["sadness", "anger"]),
    entry(BM, 20),
    # drafts never count, not even for supervision
    entry(HS, 0, draft=True, supervision="yes", themes=["coercive_context"]),
    entry(ED, 1, draft=True),
]
THEIRS = [entry(HS, 0, themes=["coercive_context"]), entry(CT, 0, intensity=10, feelings=["shame"]),
          entry(ED, 2, supervision="urgent")]
# period -> (entries counted, months shown)
PERIODS = {"3": (6, 3), "6": (7, 6), "12": (8, 12), "all": (9, 21), "bogus": (7, 6), "": (7, 6),
           "-1": (7, 6), "0": (7, 6)}
KIND_LABEL = {HS: "Hard session", CT: "Countertransference reaction", ED: "Ethical dilemma", BM: "Bright moment"}


@pytest.fixture
def therapist(app):
    # 24 months kept: the oldest entry (20 months back) would otherwise be deleted at login.
    make_user(app, "therapist", "Tess Therapist", MINE,
              procs=[{"code": "MM-1", "status": "ongoing"}, {"code": "MM-2", "status": "ended_early"}],
              keep_months=24)
    make_user(app, "colleague", "Col League", THEIRS, procs=[{"code": "MM-9", "status": "reported"}])
    client, _auth = login_client(app, "therapist")
    return client


def per_month_table(html: str) -> tuple[list[str], dict[str, list[str]]]:
    section = html.split("<summary>Kinds per month</summary>", 1)[1].split("</table>", 1)[0]
    rows = [[_cell_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.DOTALL)]
            for tr in re.findall(r"<tr>(.*?)</tr>", section, re.DOTALL)]
    return rows[0][1:], {r[0]: r[1:] for r in rows[1:]}


def figure_table(html: str, caption: str) -> dict[str, str]:
    """The data table behind the chart with this caption: {label: value}."""
    fig = html.split(f">{caption}</figcaption>", 1)[1].split("</figure>", 1)[0]
    body = fig.split("<tbody>", 1)[1]
    return {_cell_text(th): _cell_text(td) for th, td in
            re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td>", body, re.DOTALL)}


def expected_by_month(n_months: int) -> dict[str, list[str]]:
    months = [month(b) for b in range(n_months - 1, -1, -1)]
    out = {}
    for kind, label in KIND_LABEL.items():
        out[label] = [str(sum(1 for e in MINE if not e["draft"] and e["data"]["kind"] == kind
                              and e["data"]["visit_date"][:7] == m)) for m in months]
    return out


@pytest.mark.parametrize("period", list(PERIODS))
def test_counts_for_each_period(therapist, period):
    total, n_months = PERIODS[period]
    r = therapist.get(f"/trends?period={period}")
    assert r.status_code == 200
    html = text(r)
    assert re.search(rf"<strong>{total}</strong> entries in this period", html), period
    # only a known period is ever checked; a bogus one falls back to six months
    shown = period if period in ("3", "6", "12", "all") else "6"
    assert re.search(rf'value="{shown}" checked', html)
    months, rows = per_month_table(html)
    from blueprints.template_filters import short_month
    assert months == [short_month(month(b)) for b in range(n_months - 1, -1, -1)]
    assert rows == expected_by_month(n_months)
    by_kind = figure_table(html, "By kind")
    assert sum(int(v) for v in by_kind.values()) == total
    # supervision counts every saved flagged entry, whatever the period; drafts never
    assert "2 waiting for supervision</a> (1 urgent)" in html


def test_details_of_the_year(therapist):
    html = text(therapist.get("/trends?period=12"))
    assert figure_table(html, "By kind") == {"Hard session": "3", "Countertransference reaction": "2",
                                             "Ethical dilemma": "1", "Bright moment": "2"}
    themes = figure_table(html, "By theme")
    assert themes["Coercive context"] == "2" and themes["Positive moments"] == "2" and themes["Safe alliance"] == "1"
    assert themes["My feelings"] == "1"
    assert figure_table(html, "By subtheme") == {"Whether to report to child welfare services": "1"}
    assert figure_table(html, "Most frequent feelings") == {"Anger": "2", "Helplessness": "1", "Sadness": "1"}
    status = figure_table(html, "Outcomes")
    assert status == {"Concern reported": "0", "Guidance ended early": "1", "Guidance ended as planned": "0"}
    assert "1 process is still open." in html
    assert 'class="bar-hi"' in html                            # outcomes are highlighted
    hist = figure_table(html, "How strong (0–10), number of reactions")
    assert hist["8"] == "1" and hist["3"] == "1" and hist["10"] == "0"
    mean = figure_table(html, "Average intensity per month")
    assert len(mean) == 12
    bh = figure_table(html, "Per month")
    assert len(bh) == 12
    assert "Shame" not in html                                 # the colleague's feeling


def test_charts_are_svg_with_tables_and_no_script(therapist):
    html = text(therapist.get("/trends?period=all"))
    figures = re.findall(r"<figure class=\"chart\".*?</figure>", html, re.DOTALL)
    assert len(figures) >= 8
    for fig in figures:
        assert "<table>" in fig and "<figcaption" in fig
        if "Nothing in this period" not in fig:
            assert re.search(r'<svg viewBox="[^"]+" role="img" aria-label="[^"]+"', fig) or \
                re.search(r'<ul class="hbars" role="img" aria-label="[^"]+"', fig) and "<svg " in fig
    assert "<script>" not in html.split("</head>", 1)[1]


def test_only_my_entries_count(app, therapist):
    other, _ = login_client(app, "colleague")
    html = text(other.get("/trends?period=3"))
    assert "<strong>3</strong> entries in this period" in html
    assert figure_table(html, "By kind") == {"Hard session": "1", "Countertransference reaction": "1",
                                             "Ethical dilemma": "1", "Bright moment": "0"}
    assert "1 waiting for supervision</a> (1 urgent)" in html
    assert figure_table(html, "Outcomes")["Concern reported"] == "1"


def test_an_empty_journal_and_login(app, client):
    r = client.get("/trends")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    make_user(app, "empty")
    c, _ = login_client(app, "empty")
    html = text(c.get("/trends?period=all"))
    assert "<strong>0</strong> entries in this period" in html and "Nothing in this period" in html
    assert "waiting for supervision" not in html

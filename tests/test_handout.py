"""The seminar handout: a one-page A4 PDF (the tables on page 2 only when asked) and a CSV with one\nheader row per released table; no names, no pseudonyms, no text in either."""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select

from domain.core.db import db, utcnow
from domain.core.models import TrendFact
from domain.groups import handout
from domain.trends import adaptive, periods
from domain.trends import facts as trend_facts
from domain.trends.headline import headline
from domain.trends.suppression import cell_text
from tests.conftest import raw_database_bytes
from tests.test_groups_http import (
    NAMES,
    SIX,
    TITLES,
    login_client,
    pdf_pages,
    pdf_strings,
    pdf_text,
    seminar,
    seminar_facts,
    seminar_specs,
    text,
)

PDFTOPPM = shutil.which("pdftoppm") or ("/usr/bin/pdftoppm" if Path("/usr/bin/pdftoppm").exists() else None)


def rendered_pages(pdf: bytes) -> int | None:
    """Pages as rendered by poppler (None when pdftoppm is not installed locally; on CI, where it is
    installed, a missing pdftoppm fails instead of passing unchecked)."""
    if not PDFTOPPM:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("pdftoppm is missing on CI: the handout PDF cannot be rendered and checked")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "h.pdf"
        src.write_bytes(pdf)
        subprocess.run([PDFTOPPM, "-r", "20", "-gray", str(src), str(Path(tmp) / "p")], check=True, timeout=60)
        return len(list(Path(tmp).glob("p*.pgm")))


def check_pdf(pdf: bytes, pages: int = 1) -> None:
    """A whole PDF of exactly `pages` A4 pages: one without tables, two with them (page 2)."""
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf_pages(pdf) == pages, pdf_pages(pdf)
    rendered = rendered_pages(pdf)
    assert rendered is None or rendered == pages


def _oracle_facts() -> list[trend_facts.GroupFact]:
    """The facts the six members of `seminar` contribute, built without the database."""
    return seminar_facts()


def _pure_view(fs: list[trend_facts.GroupFact], p: periods.Period, k: int) -> adaptive.View:
    from blueprints.trends import SUBTHEME_ORDER, SUPPORT_ORDER, THEME_ORDER
    from domain.catalogue.entry_kinds import KIND_IDS
    rel = adaptive.release(p.year, adaptive.counter(fs), k, kind_order=list(KIND_IDS),
                           theme_order=THEME_ORDER, subtheme_order=SUBTHEME_ORDER, support_order=SUPPORT_ORDER)
    return adaptive.view(rel, p, adaptive.bucket_aggregate(fs, {p.id: p.months()}))


def test_handout_pdf_and_csv(app, client):
    s = seminar(app)
    c, _ = login_client(app, "lead")
    p = periods.default(utcnow().date())
    r = c.get(f"/groups/{s['gid']}/handout.pdf?period={p.id}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert 'attachment; filename="seminar-handout.pdf"' == r.headers["Content-Disposition"]
    pdf = r.data
    check_pdf(pdf, 1)
    # the current half-year is the default (same text; the bytes differ by the creation time)
    assert pdf_text(pdf) == pdf_text(c.get(f"/groups/{s['gid']}/handout.pdf").data)
    with app.test_request_context():
        from blueprints.groups_view import period_label
        shown_period = handout._ascii(period_label(p))
    words = pdf_text(pdf)
    for shown in (f"Seminar handout: {s['name']}", f"Period: {shown_period}.", "Contributors: 6.",
                  "least 5 people", "In short", "Themes logged most", "Fokus's own summaries"):
        assert shown in words, shown
    assert "Entry kinds" not in words and "hidden" not in words    # tables only when asked
    r2 = c.get(f"/groups/{s['gid']}/handout.pdf?period={p.id}&tables=1")
    both = r2.data
    check_pdf(both, 2)
    both_words = pdf_text(both)
    # page 2: every table with rows, each row's cells as the page shows them ("<5", "hidden"), from the
    # same release computed in memory; tables without rows (no supports in this seminar) are left out
    v = _pure_view(_oracle_facts(), p, 5)
    tables_part = both_words.split("Fokus's own summaries", 1)[1]
    drawn = 0
    with app.test_request_context():
        from blueprints.trends import label
        for t in v.ordered():
            rows = [r for r in t.rows if t.row_totals[r].suppressed or t.row_totals[r].value]
            if not rows:
                assert TITLES[t.name] not in tables_part, t.name
                continue
            drawn += 1
            assert TITLES[t.name] in tables_part, t.name
            more = len(t.months) > 1
            for r in rows:
                cells = [*(t.cell(r, m) for m in t.months), *([t.row_totals[r]] if more else [])]
                line = "\n".join([handout._ascii(label(r))[:48], *(cell_text(c, 5, "hidden") for c in cells)])
                assert line in tables_part, line
    assert drawn >= 4 and "hidden" in tables_part and "<5" in tables_part

    r = c.get(f"/groups/{s['gid']}/handout.csv?period={p.id}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text(r))))
    # one header row per released table, each followed by that table's rows of its own width
    headers = [i for i, row in enumerate(rows) if row[:2] == ["table", "row"]]
    assert len(headers) == len(trend_facts.TABLES)
    for h, nxt in zip(headers, [*headers[1:], len(rows)], strict=True):
        head = rows[h]
        assert head[-1] == "total" and len(head) >= 4
        for block in head[2:-1]:                                   # block ids overlapping the period
            b = periods.parse(block)
            assert b is not None and (p.contains(b) or b.contains(p)), block
        assert all(len(row) == len(head) for row in rows[h + 1:nxt])
        assert len({row[0] for row in rows[h + 1:nxt]}) == 1
    # the oracle: the same release computed in memory from the same facts
    with app.test_request_context():
        from blueprints.groups_text import csv_label
        want = adaptive.csv_rows(_pure_view(_oracle_facts(), p, 5), csv_label)
    assert rows == want
    assert ["kinds", "contributors", *[""] * (len(rows[headers[0]]) - 3), "6"] in rows
    assert any(v in ("hidden", "<5") for row in rows for v in row[2:])   # suppression is visible

    # neither names nor pseudonyms nor any journal text, in the PDFs (inflated too) or the CSV
    with app.app_context():
        pseudonyms = set(db.session.scalars(select(TrendFact.pseudonym)))
    assert len(pseudonyms) == 6
    everything = text(r) + words + both_words + pdf.decode("latin-1") + both.decode("latin-1")
    # the journal text is "<kind> words <months back>"; the handout's own sources note says "words"
    journal_text = {v for i in range(1, 7) for spec in seminar_specs(i) for v in spec["data"].values()
                    if isinstance(v, str) and " words " in v}
    assert journal_text
    for secret in [*NAMES.values(), *SIX, *pseudonyms, "Lena Lead", *journal_text, " words 0", s["token"]]:
        assert secret not in everything, secret


def _offered_ids() -> list[str]:
    return [q.id for q in periods.offered(utcnow().date())]


@pytest.mark.parametrize("period", _offered_ids())
def test_handout_pages_for_every_period_of_the_demo_seminar(app, period):
    """The demo seminar (six real contributors, months of entries): every offered period's handout
    is one page, and two with its tables."""
    from blueprints import guards
    from domain.demo import seed as demo
    with app.app_context():
        demo.seed(guards.kdf_policy(), guards.server_secret())
        db.session.commit()
    from domain.demo.content import DEMO_PASSWORD
    from tests.conftest import Auth
    c = app.test_client()
    assert Auth(c).login("supervisor", DEMO_PASSWORD).status_code == 302
    groups_page = text(c.get("/groups/"))
    gid = re.search(r'href="/groups/([0-9a-f]{32})"', groups_page).group(1)
    trends_page = c.get(f"/groups/{gid}/trends?period={period}")
    assert trends_page.status_code == 200
    pdf = c.get(f"/groups/{gid}/handout.pdf?period={period}").data
    check_pdf(pdf, 1)
    assert "Marte Meo seminar, autumn" in pdf_text(pdf)
    check_pdf(c.get(f"/groups/{gid}/handout.pdf?period={period}&tables=1").data, 2)
    body = text(c.get(f"/groups/{gid}/handout.csv?period={period}"))
    lines = list(csv.reader(io.StringIO(body)))
    assert sum(1 for line in lines if line[:2] == ["table", "row"]) == len(trend_facts.TABLES)
    for line in lines:
        if line[:2] != ["table", "row"]:
            for v in line[2:]:
                assert v in ("", "hidden", "<3") or v.isdigit(), line   # numbers or markers only (demo k = 3)


def _full(year: int, k: int = 3) -> list[trend_facts.GroupFact]:
    """Worst case for the page count: every kind, theme, subtheme, band, outcome and support in every
    month of the year, from k people (so every table is split down to months)."""
    from domain.catalogue import themes
    from domain.catalogue.entry_kinds import KIND_IDS
    from domain.catalogue.themes import THEMES
    fs = []
    for m in periods.Period(year, "year", 1).months():
        for p in range(k):
            who = f"p{p}"
            fs += [trend_facts.GroupFact(who, m, kind) for kind in KIND_IDS]
            fs += [trend_facts.GroupFact(who, m, "hard_session", theme=t.id) for t in THEMES]
            fs += [trend_facts.GroupFact(who, m, "hard_session", subtheme=s.id) for t in THEMES for s in t.subthemes]
            fs += [trend_facts.GroupFact(who, m, "countertransference", intensity_band=b) for b in trend_facts.BANDS]
            fs += [trend_facts.GroupFact(who, m, "process", outcome=o) for o in trend_facts.OUTCOMES]
            fs += [trend_facts.GroupFact(who, m, trend_facts.SUPPORT_KIND, outcome=s.id) for s in themes.SUPPORTS]
    return fs


@pytest.mark.parametrize("pid", ["2026-11", "2026-Q4", "2026-T2", "2026"])
def test_the_fullest_table_still_fits_the_promised_pages(app, pid):
    """One page without tables, two with them, even when every row of every table is filled in every
    month (a year view then has twelve month columns)."""
    from blueprints.groups_text import handout_words
    p = periods.parse(pid)
    v = _pure_view(_full(p.year), p, 3)
    assert len(v.tables["kinds"].months) == len(p.months())        # every month is its own column
    assert all(not t.total.suppressed for t in v.ordered())
    with app.test_request_context():
        words = handout_words()
        h = headline(v)
        front = handout.render("A" * 80, v, h, words)
        pdf = handout.render("A" * 80, v, h, words, with_tables=True)
        headings = [words.block_label(m) for m in v.tables["kinds"].months]
    check_pdf(front, 1)
    check_pdf(pdf, 2)
    strings = pdf_strings(pdf)
    # every month is drawn, each as a column heading
    assert all(m in strings for m in headings), headings


def test_an_empty_group_and_odd_names_render(app):
    from blueprints.groups_text import handout_words
    p = periods.default(utcnow().date())
    v = _pure_view([], p, 5)
    with app.test_request_context():
        words = handout_words()
        pdf = handout.render("Høstseminar – “Tromsø” 🙂 Ω (x) \\ end", v, headline(v), words)
        both = handout.render("Høstseminar – “Tromsø” 🙂 Ω (x) \\ end", v, headline(v), words, with_tables=True)
    check_pdf(pdf, 1)
    words_shown = pdf_text(pdf)
    assert 'Seminar handout: Høstseminar - "Tromsø" ? ? (x) \\ end' in words_shown
    assert "Contributors: 0." in words_shown
    assert "0 entries were logged in this period." in words_shown
    assert "Themes logged most" not in words_shown                 # no chart from nothing
    check_pdf(both, 2)       # an empty second page rather than a missing one: the promise is two


def test_the_group_name_is_sealed_in_the_database(app, client):
    s = seminar(app, name="Seminar Quillmarker Xyzzy 7731")
    c, _ = login_client(app, "lead")
    assert "Seminar Quillmarker Xyzzy 7731" in text(c.get(f"/groups/{s['gid']}"))
    assert "Seminar Quillmarker Xyzzy 7731" in pdf_text(c.get(f"/groups/{s['gid']}/handout.pdf").data)
    raw = raw_database_bytes(app)
    for marker in ["Seminar Quillmarker Xyzzy 7731", "Quillmarker", *NAMES.values(), s["token"], "Lena Lead"]:
        assert marker.encode() not in raw, marker


def test_a_missing_pdftoppm_fails_on_ci(monkeypatch):
    """Under CI=true the render check cannot quietly turn into no check."""
    monkeypatch.setitem(globals(), "PDFTOPPM", None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="pdftoppm is missing on CI"):
        rendered_pages(b"%PDF-1.4")

"""The seminar handout: a one-or-two-page PDF and a CSV with the same suppressed table; no names, no
pseudonyms, no text in either."""
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
from domain.trends import facts as trend_facts
from domain.trends import group_tables
from tests.conftest import raw_database_bytes
from tests.test_groups_http import (
    NAMES,
    SIX,
    TITLES,
    expected_page_tables,
    expected_trends,
    login_client,
    pdf_pages,
    pdf_strings,
    pdf_text,
    seminar,
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


def check_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert 1 <= pdf_pages(pdf) <= 2, pdf_pages(pdf)
    pages = rendered_pages(pdf)
    assert pages is None or pages == pdf_pages(pdf)


def test_handout_pdf_and_csv(app, client):
    s = seminar(app)
    c, _ = login_client(app, "lead")
    r = c.get(f"/groups/{s['gid']}/handout.pdf?period=6")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert 'attachment; filename="seminar-handout.pdf"' == r.headers["Content-Disposition"]
    pdf = r.data
    check_pdf(pdf)
    words = pdf_text(pdf)
    months = trend_facts.months_back(utcnow().date(), 6, None)
    from blueprints.trends import short_month
    for shown in (f"Seminar handout: {s['name']}", f"Period: {short_month(months[0])} - {short_month(months[-1])}",
                  "Contributors: 6.", "k = 5", "Entry kinds", "Themes", "Countertransference intensity",
                  "Processes ended early or reported", "The four themes", "Coercive context",
                  "<5", "hidden"):
        assert shown in words, shown

    r = c.get(f"/groups/{s['gid']}/handout.csv?period=6")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text(r))))
    assert rows[0] == ["table", "row", *months, "total"]
    assert all(len(row) == len(months) + 3 for row in rows)
    want = expected_page_tables(expected_trends(months))
    for t in trend_facts.TABLES:
        got = {row[1]: row[2:] for row in rows if row[0] == t and row[1] not in ("total", "contributors")}
        got["All"] = next(row[2:] for row in rows if row[0] == t and row[1] == "total")
        assert got == want[TITLES[t]], t

    # neither names nor pseudonyms nor any journal text, in the PDF (inflated too) or the CSV
    with app.app_context():
        pseudonyms = set(db.session.scalars(select(TrendFact.pseudonym)))
    assert len(pseudonyms) == 6
    everything = text(r) + words + pdf.decode("latin-1")
    for secret in [*NAMES.values(), *SIX, *pseudonyms, "Lena Lead", "words", s["token"]]:
        assert secret not in everything, secret


@pytest.mark.parametrize("period", ["3", "12", "all"])
def test_handout_pages_for_every_period_of_the_demo_seminar(app, period):
    """The demo seminar (six real contributors, months of entries) fits on one or two pages."""
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
    trends_page = text(c.get(f"/groups/{gid}/trends?period={period}"))
    assert "<strong>6</strong> members contribute" in trends_page
    pdf = c.get(f"/groups/{gid}/handout.pdf?period={period}").data
    check_pdf(pdf)
    assert "Marte Meo seminar, autumn" in pdf_text(pdf)
    body = text(c.get(f"/groups/{gid}/handout.csv?period={period}"))
    lines = list(csv.reader(io.StringIO(body)))
    for line in lines[1:]:
        for v in line[2:]:
            assert v in ("", "hidden", "<5") or v.isdigit(), line   # numbers or markers only


def _full(months: list[str], k: int = 3) -> group_tables.GroupTrends:
    """Worst case for the page count: every kind, theme, subtheme, band and outcome in every month."""
    from blueprints.trends import SUBTHEME_ORDER, THEME_ORDER
    from domain.catalogue.entry_kinds import KIND_IDS
    from domain.catalogue.themes import THEMES
    fs = []
    for m in months:
        for p in range(k):
            who = f"p{p}"
            fs += [trend_facts.GroupFact(who, m, kind) for kind in KIND_IDS]
            fs += [trend_facts.GroupFact(who, m, "hard_session", theme=t.id) for t in THEMES]
            fs += [trend_facts.GroupFact(who, m, "hard_session", subtheme=s.id) for t in THEMES for s in t.subthemes]
            fs += [trend_facts.GroupFact(who, m, "countertransference", intensity_band=b) for b in trend_facts.BANDS]
            fs += [trend_facts.GroupFact(who, m, "process", outcome=o) for o in trend_facts.OUTCOMES]
    return group_tables.group_trends(fs, months, k, kind_order=list(KIND_IDS), theme_order=THEME_ORDER,
                               subtheme_order=SUBTHEME_ORDER)


@pytest.mark.parametrize("n_months", [1, 3, 12, 24])
def test_the_fullest_table_still_fits_two_pages(n_months):
    from blueprints.trends import label, short_month
    months = trend_facts.months_back(utcnow().date(), n_months, None)
    pdf = handout.render("A" * 80, _full(months), label, short_month)
    check_pdf(pdf)
    strings = pdf_strings(pdf)
    # the last twelve months are drawn, each as a column heading
    assert all(short_month(m) in strings for m in months[-12:])


def test_an_empty_group_and_odd_names_render():
    from blueprints.trends import label, short_month
    months = trend_facts.months_back(utcnow().date(), 3, None)
    gt = group_tables.trends_from_aggregates(group_tables.aggregate([], months), months, 5)
    pdf = handout.render("Høstseminar – “Tromsø” 🙂 Ω (x) \\ end", gt, label, short_month)
    check_pdf(pdf)
    words = pdf_text(pdf)
    assert 'Seminar handout: Høstseminar - "Tromsø" ? ? (x) \\ end' in words
    assert "Contributors: 0." in words


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

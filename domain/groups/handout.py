"""Seminar handout as PDF: group, period, k, the suppressed tables and a legend of the themes.
No names, no pseudonyms, no text from any journal: only counts and catalogue labels."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from domain.catalogue import themes
from domain.trends.group_tables import GroupTable, GroupTrends
from domain.trends.suppression import cell_text

if TYPE_CHECKING:
    from fpdf import FPDF

TITLES = {"kinds": "Entry kinds", "themes": "Themes", "subthemes": "Subthemes",
          "intensity": "Countertransference intensity", "outcomes": "Processes ended early or reported"}


def _ascii(text: str) -> str:
    # The core PDF fonts are Latin-1; replace what they cannot show rather than fail.
    return text.replace("–", "-").replace("—", "-").replace("’", "'").replace("‘", "'") \
        .replace("“", '"').replace("”", '"').replace("…", "...") \
        .encode("latin-1", "replace").decode("latin-1")


def _table(pdf: FPDF, t: GroupTable, k: int, label: Callable[[str], str], month_label: Callable[[str], str]) -> None:
    rows = [r for r in t.rows if any(not t.cell(r, m).suppressed and t.cell(r, m).value or t.cell(r, m).suppressed
                                     for m in t.months)]
    if not rows:
        return
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 7, _ascii(TITLES.get(t.name, t.name)), new_x="LMARGIN", new_y="NEXT")
    months = t.months[-12:]
    first = 52 if t.name != "subthemes" else 70
    width = (pdf.epw - first - 14) / max(1, len(months))
    pdf.set_font("Helvetica", "B", 6.5)
    pdf.cell(first, 5, "")
    for m in months:
        pdf.cell(width, 5, _ascii(month_label(m)), align="R")
    pdf.cell(14, 5, "Total", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 6.5)
    for r in rows:
        pdf.cell(first, 4.2, _ascii(label(r))[:48])
        for m in months:
            pdf.cell(width, 4.2, cell_text(t.cell(r, m), k), align="R")
        pdf.cell(14, 4.2, cell_text(t.row_totals[r], k), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 6.5)
    pdf.cell(first, 4.2, "All")
    for m in months:
        pdf.cell(width, 4.2, cell_text(t.col_totals[m], k), align="R")
    pdf.cell(14, 4.2, cell_text(t.total, k), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def render(group_name: str, gt: GroupTrends, label: Callable[[str], str],
           month_label: Callable[[str], str]) -> bytes:
    from fpdf import FPDF  # imported on first use: fpdf and its font tools cost each worker ~20 MB
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_title("Seminar handout")
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, _ascii(f"Seminar handout: {group_name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    period = f"{month_label(gt.months[0])} - {month_label(gt.months[-1])}" if gt.months else ""
    pdf.multi_cell(0, 5, _ascii(
        f"Period: {period}.  Contributors: {gt.contributors}.  k = {gt.k}: a number is shown only when at "
        f"least {gt.k} different people stand behind it; '<{gt.k}' marks fewer, 'hidden' marks a number "
        "held back so that the others cannot be used to work it out. Counts only: no names, no text."),
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for t in gt.tables():
        _table(pdf, t, gt.k, label, month_label)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 7, "The four themes (Simhan, Vik, Veseth & Hjeltnes, 2020)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    for th in themes.THEMES:
        pdf.multi_cell(0, 4.2, _ascii(f"{th.number}. {th.name}: {th.description}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    return bytes(pdf.output())

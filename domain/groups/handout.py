"""Seminar handout as PDF: group, period, k, the suppressed tables and a legend of the themes.
No names, no pseudonyms, no text from any journal: only counts and catalogue labels.

The handout speaks the reader's language: its words are English msgids marked with N_, and the
caller passes `words` (flask_babel in a request) to translate them. The core PDF fonts cover
Latin-1, so Norwegian æ ø å print as they are."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fpdf import FPDF

from domain.catalogue import themes
from domain.core.refusal import N_
from domain.trends.group_tables import TABLE_TITLES, GroupTable, GroupTrends
from domain.trends.suppression import cell_text


class Words(Protocol):
    def gettext(self, message: str, **params) -> str: ...

    def pgettext(self, context: str, message: str, **params) -> str: ...


class English:
    """Words outside a request: the msgids themselves, with their params filled in."""

    @staticmethod
    def gettext(message: str, **params) -> str:
        return message % params if params else message

    @staticmethod
    def pgettext(context: str, message: str, **params) -> str:
        return English.gettext(message, **params)


def _ascii(text: str) -> str:
    # The core PDF fonts are Latin-1; replace what they cannot show rather than fail.
    return text.replace("–", "-").replace("—", "-").replace("’", "'").replace("‘", "'") \
        .replace("“", '"').replace("”", '"').replace("…", "...") \
        .encode("latin-1", "replace").decode("latin-1")


def _row(pdf: FPDF, first: float, width: float, head: str, cells: list[str], *, height: float = 4.2) -> None:
    """One table line: a heading cell, the month cells and the total, right-aligned."""
    pdf.cell(first, height, head)
    for text in cells[:-1]:
        pdf.cell(width, height, text, align="R")
    pdf.cell(14, height, cells[-1], align="R", new_x="LMARGIN", new_y="NEXT")


# The sum row ("All") and total column ("Total") are looked up with the context "trend table": other
# pages use these short words with other meanings.
def _table(pdf: FPDF, t: GroupTable, k: int, label: Callable[[str], str], month_label: Callable[[str], str],
           words: Words) -> None:
    rows = [r for r in t.rows if any(not t.cell(r, m).suppressed and t.cell(r, m).value or t.cell(r, m).suppressed
                                     for m in t.months)]
    if not rows:
        return
    hidden = _ascii(words.gettext(N_("hidden")))
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 7, _ascii(words.gettext(TABLE_TITLES[t.name])), new_x="LMARGIN", new_y="NEXT")
    months = t.months[-12:]
    first = 52 if t.name != "subthemes" else 70
    width = (pdf.epw - first - 14) / max(1, len(months))
    pdf.set_font("Helvetica", "B", 6.5)
    _row(pdf, first, width, "", [_ascii(month_label(m)) for m in months] + [_ascii(words.pgettext("trend table", "Total"))], height=5)
    pdf.set_font("Helvetica", "", 6.5)
    for r in rows:
        _row(pdf, first, width, _ascii(label(r))[:48],
             [cell_text(c, k, hidden) for c in [*(t.cell(r, m) for m in months), t.row_totals[r]]])
    pdf.set_font("Helvetica", "I", 6.5)
    _row(pdf, first, width, _ascii(words.pgettext("trend table", "All")),
         [cell_text(c, k, hidden) for c in [*(t.col_totals[m] for m in months), t.total]])
    pdf.ln(2)


def _heading(pdf: FPDF, group_name: str, gt: GroupTrends, month_label: Callable[[str], str],
             words: Words) -> None:
    say = words.gettext
    pdf.set_title(_ascii(say(N_("Seminar handout"))))
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, _ascii(say(N_("Seminar handout: %(name)s"), name=group_name)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    period = f"{month_label(gt.months[0])} - {month_label(gt.months[-1])}" if gt.months else ""
    pdf.multi_cell(0, 5, _ascii(say(N_(
        "Period: %(period)s.  Contributors: %(num)d.  k = %(k)d: a number is shown only when at least %(k)d "
        "different people stand behind it; '<%(k)d' marks fewer, '%(hidden)s' marks a number held back so "
        "that the others cannot be used to work it out. Counts only: no names, no text."),
        period=period, num=gt.contributors, k=gt.k, hidden=say(N_("hidden")))), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def render(group_name: str, gt: GroupTrends, label: Callable[[str], str],
           month_label: Callable[[str], str], words: Words = English) -> bytes:
    from fpdf import FPDF  # imported on first use: fpdf and its font tools cost each worker ~20 MB
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    _heading(pdf, group_name, gt, month_label, words)
    for t in gt.tables():
        _table(pdf, t, gt.k, label, month_label, words)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 7, _ascii(words.gettext(N_("The four themes (Simhan, Vik, Veseth & Hjeltnes, 2020)"))),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    for th in themes.THEMES:
        pdf.multi_cell(0, 4.2, _ascii(f"{th.number}. {th.name}: {th.description}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.8)
    return bytes(pdf.output())

"""Seminar handout as PDF: one A4 page a lead can hand round. Title, period, contributors, k, a
few plain sentences, three bar charts, and where the words come from; the full tables on a
second page only when asked. Only numbers the group page shows (domain/trends/adaptive.py,
headline.py): no names, no pseudonyms, no text from any journal.

The handout speaks the reader's language: its words are English msgids marked with N_, and the
caller passes `words` (gettext, ngettext, labels) to translate them. The core PDF fonts cover
Latin-1, so Norwegian æ ø å print as they are."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from fpdf import FPDF

from domain.core.refusal import N_
from domain.trends.adaptive import View
from domain.trends.group_tables import TABLE_TITLES, GroupTable
from domain.trends.headline import Headline
from domain.trends.periods import Period
from domain.trends.suppression import cell_text

SOURCES = N_("The four theme names come from a study of Marte Meo therapists' experiences (Simhan, Vik, "
             "Veseth & Hjeltnes, 2020). The subthemes, the short descriptions, the supports and the "
             "outcomes are Fokus's own summaries, not the study's words or findings.")


class Words(Protocol):
    def gettext(self, message: str, **params) -> str: ...

    def pgettext(self, context: str, message: str, **params) -> str: ...

    def ngettext(self, singular: str, plural: str, num: int, **params) -> str: ...

    def label(self, row_id: str) -> str: ...

    def period_label(self, p: Period) -> str: ...

    def block_label(self, block_id: str) -> str: ...

    def grain_text(self, levels: tuple[str, ...]) -> str: ...


def _ascii(text: str) -> str:
    # The core PDF fonts are Latin-1; replace what they cannot show rather than fail.
    return text.replace("–", "-").replace("—", "-").replace("’", "'").replace("‘", "'") \
        .replace("“", '"').replace("”", '"').replace("…", "...") \
        .encode("latin-1", "replace").decode("latin-1")


def _listing(pairs: list[tuple[str, int]], words: Words) -> str:
    return ", ".join(f"{words.label(r)} ({n})" for r, n in pairs)


def summary_lines(h: Headline, words: Words) -> list[str]:
    """Plain sentences from the shown numbers only; the web page shows the same ones."""
    say, lines = words.gettext, []
    if h.entries is not None:
        lines.append(words.ngettext("%(num)d entry was logged in this period.",
                                    "%(num)d entries were logged in this period.", h.entries))
    if h.change is not None:
        lines.append(say(N_("That is %(num)d more than the period before."), num=h.change) if h.change > 0 else
                     say(N_("That is %(num)d fewer than the period before."), num=-h.change) if h.change < 0 else
                     say(N_("That is as many as the period before.")))
    if h.themes:
        lines.append(say(N_("Themes logged most: %(list)s."), list=_listing(h.themes, words)))
    if h.subthemes:
        lines.append(say(N_("Subthemes logged most: %(list)s."), list=_listing(h.subthemes, words)))
    if h.supports:
        lines.append(say(N_("What helped: %(list)s."), list=_listing(h.supports, words)) + (
            " " + say(N_("Beside %(num)d heavy entries."), num=h.strain) if h.strain is not None else ""))
    if h.bands:
        lines.append(say(N_("Countertransference reactions by strength (0-10): %(list)s."),
                         list=", ".join(f"{b}: {n}" for b, n in h.bands)))
    if not lines:
        lines.append(say(N_("Too few people stand behind this period's numbers to say more without "
                            "pointing at someone. A longer period or a larger group shows more.")))
    return lines


def charts(h: Headline, words: Words) -> list[tuple[str, list[tuple[str, int, bool]]]]:
    """Up to three charts (title, rows of label, value, highlight) from the shown numbers."""
    out = []
    if h.themes:
        out.append((words.gettext(N_("Themes logged most")), [(words.label(r), n, False) for r, n in h.themes]))
    if h.supports:
        strain = [(words.gettext(N_("Heavy entries")), h.strain, True)] if h.strain is not None else []
        out.append((words.gettext(N_("What helped, beside the strain")),
                    strain + [(words.label(r), n, False) for r, n in h.supports[:5]]))
    if h.bands:
        out.append((words.gettext(N_("Countertransference intensity (0-10)")), [(b, n, False) for b, n in h.bands]))
    if h.subthemes and len(out) < 3:
        out.append((words.gettext(N_("Subthemes logged most")), [(words.label(r), n, False) for r, n in h.subthemes]))
    return out[:3]


def _chart(pdf: FPDF, title: str, rows: list[tuple[str, int, bool]]) -> None:
    """Horizontal bars: the label on its own line (never cut), the bar and its number below."""
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(0, 6, _ascii(title), new_x="LMARGIN", new_y="NEXT")
    top = max((n for _, n, _ in rows), default=0) or 1
    for text, n, hi in rows:
        pdf.set_font("Helvetica", "", 8.5)
        pdf.multi_cell(0, 4, _ascii(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_fill_color(*((176, 86, 60) if hi else (46, 110, 98)))
        width = max(0.8, (pdf.epw - 20) * n / top)
        pdf.rect(pdf.l_margin, pdf.get_y() + 0.5, width, 3.2, style="F")
        pdf.set_x(pdf.l_margin + width + 2)
        pdf.cell(16, 4.2, str(n), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _front(pdf: FPDF, group_name: str, v: View, h: Headline, words: Words) -> None:
    say = words.gettext
    pdf.set_title(_ascii(say(N_("Seminar handout"))))
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _ascii(say(N_("Seminar handout: %(name)s"), name=group_name)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(0, 5, _ascii(say(N_("Period: %(period)s. Contributors: %(num)d. A number is shown only when at "
                                       "least %(k)d people stand behind it. Counts only: no names, no text."),
                                    period=words.period_label(v.period), num=v.contributors, k=v.k)),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, _ascii(say(N_("In short"))), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    for line in summary_lines(h, words):
        pdf.multi_cell(0, 5, _ascii("- " + line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for title, rows in charts(h, words):
        _chart(pdf, title, rows)
    pdf.set_font("Helvetica", "I", 7.5)
    pdf.multi_cell(0, 3.6, _ascii(say(SOURCES)), new_x="LMARGIN", new_y="NEXT")


def _row(pdf: FPDF, first: float, width: float, head: str, cells: list[str]) -> None:
    pdf.cell(first, 3.3, head)
    for text in cells:
        pdf.cell(width, 3.3, text, align="R")
    pdf.ln(3.3)


def _table(pdf: FPDF, t: GroupTable, k: int, words: Words, label: Callable[[str], str]) -> None:
    # Rows that are zero throughout are left out so that every table fits on the second page.
    rows = [r for r in t.rows if t.row_totals[r].suppressed or t.row_totals[r].value]
    if not rows:
        return
    hidden = _ascii(words.gettext(N_("hidden")))
    pdf.set_font("Helvetica", "B", 9)
    pdf.cell(0, 5, _ascii(words.gettext(TABLE_TITLES[t.name])), new_x="LMARGIN", new_y="NEXT")
    first = 70
    width = min(22.0, (pdf.epw - first - 16) / max(1, len(t.months)))
    # One column is its own total (as on the page): no second, "hidden" copy of a "<k" cell.
    more = len(t.months) > 1
    pdf.set_font("Helvetica", "B", 6.5)
    _row(pdf, first, width, "", [_ascii(words.block_label(m)) for m in t.months]
         + ([_ascii(words.pgettext("trend table", "Total"))] if more else []))
    pdf.set_font("Helvetica", "", 6.5)
    for r in rows:
        _row(pdf, first, width, _ascii(label(r))[:48],
             [cell_text(c, k, hidden) for c in [*(t.cell(r, m) for m in t.months), *([t.row_totals[r]] if more else [])]])
    pdf.set_font("Helvetica", "I", 6.5)
    _row(pdf, first, width, _ascii(words.pgettext("trend table", "All")),
         [cell_text(c, k, hidden) for c in [*t.col_totals.values(), *([t.total] if more else [])]])
    pdf.ln(1)


def render(group_name: str, v: View, h: Headline, words: Words, with_tables: bool = False) -> bytes:
    from fpdf import FPDF  # imported on first use: fpdf and its font tools cost each worker ~20 MB
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_margins(14, 14, 14)
    pdf.add_page()
    _front(pdf, group_name, v, h, words)
    if with_tables:
        pdf.add_page()
        for t in v.ordered():
            _table(pdf, t, v.k, words, words.label)
    return bytes(pdf.output())

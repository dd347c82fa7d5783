"""Selected entries as a PDF, for the therapist's own records (built in memory, never stored)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from domain.catalogue import entry_kinds, themes
from domain.core.refusal import N_
from domain.data.wording import ENGLISH, Reader

if TYPE_CHECKING:
    from fpdf import FPDF

# A Unicode font when the system has one (Debian: fonts-dejavu-core); else the Latin-1 core font.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _pdf() -> tuple[FPDF, str, bool]:
    from fpdf import FPDF  # imported on first use: fpdf and its font tools cost each worker ~20 MB
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    if (_DEJAVU / "DejaVuSans.ttf").exists() and (_DEJAVU / "DejaVuSans-Bold.ttf").exists():
        pdf.add_font("DejaVu", "", str(_DEJAVU / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(_DEJAVU / "DejaVuSans-Bold.ttf"))
        return pdf, "DejaVu", True
    return pdf, "Helvetica", False


def render(entries: list[tuple[dict, str]], reader: Reader = ENGLISH) -> bytes:
    """entries: (decrypted data, created_at as ISO text); headings and dates in the reader's language."""
    pdf, font, unicode_ok = _pdf()

    def t(text: str) -> str:
        return text if unicode_ok else text.encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(reader.say(N_("Fokus entries")))
    for data, created in entries:
        kind = entry_kinds.KINDS[data["kind"]]
        pdf.add_page()
        pdf.set_font(font, "B", 15)
        pdf.multi_cell(0, 8, t(entry_kinds.headline(data["kind"], data)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, "", 9)
        pdf.cell(0, 6, t(f"{kind.label} · {reader.day_of(data.get('visit_date') or created)}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for f in kind.fields:
            v = data.get(f.name)
            if v in (None, "", []):
                continue
            pdf.set_font(font, "B", 10)
            pdf.multi_cell(0, 6, t(f.label), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(font, "", 10)
            pdf.multi_cell(0, 5.5, t(entry_kinds.display(f, v)), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        names = [themes.theme(x).name for x in data.get("themes", []) if x in themes.THEME_IDS]
        names += [themes.subtheme(x).name for x in data.get("subthemes", []) if x in themes.SUBTHEME_IDS]
        if names:
            pdf.set_font(font, "B", 10)
            pdf.cell(0, 6, t(reader.say(N_("Themes"))), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(font, "", 10)
            pdf.multi_cell(0, 5.5, t("; ".join(names)), new_x="LMARGIN", new_y="NEXT")
        if data.get("tags"):
            pdf.multi_cell(0, 5.5, t(reader.say(N_("Tags: %(tags)s"), tags=", ".join(data["tags"]))), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

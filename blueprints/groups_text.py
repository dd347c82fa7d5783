"""Seminar group words that depend on the reader's language: month headings, the CSV's own words,
and the times a member's consent state keeps. The domain hands over ids and English msgids (N_);
this module turns them into the reader's language (docs/ARCHITECTURE.md, "Language and time")."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

import flask_babel
from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from blueprints import groups_view
from blueprints.trends import label
from domain.trends.adaptive import View, csv_rows

# The CSV's header words, its marker words and its table names (lower case, like the English ids
# they replace). Months stay "YYYY-MM": they are data a spreadsheet can sort.
CSV_WORDS = {
    "table": _l("table"), "row": _l("row"), "total": _l("total"), "contributors": _l("contributors"),
    "hidden": _l("hidden"), "kinds": _l("kinds"), "themes": _l("themes"), "subthemes": _l("subthemes"),
    "intensity": _l("intensity"), "outcomes": _l("outcomes"), "supports": _l("what helped"),
}


def csv_label(word_or_id: str) -> str:
    """A CSV word or table name in the reader's language; any other id is a catalogue label."""
    return str(CSV_WORDS[word_or_id]) if word_or_id in CSV_WORDS else label(word_or_id)


def csv_text(v: View) -> str:
    """The released group tables of one period as a CSV file in the reader's language."""
    buf = io.StringIO()
    csv.writer(buf).writerows(csv_rows(v, csv_label))
    return buf.getvalue()


class HandoutWords:
    """What the handout (domain/groups/handout.py) needs of the reader's language."""
    gettext = staticmethod(flask_babel.gettext)
    pgettext = staticmethod(flask_babel.pgettext)
    ngettext = staticmethod(flask_babel.ngettext)
    label = staticmethod(label)
    period_label = staticmethod(groups_view.period_label)
    block_label = staticmethod(groups_view.block_label)
    grain_text = staticmethod(groups_view.grain_text)


def handout_words() -> HandoutWords:
    return HandoutWords()


def month_label(month: str) -> str:
    """"2026-03" as a column heading that fits on a phone: "Mar 26", "mar 26"."""
    year, mon = month.split("-")
    return format_date(date(int(year), int(mon), 1), "LLL yy")


def stamp(value: str | None) -> datetime | None:
    """A time kept in the consent state ("2026-11-30T13:48", UTC) for the |when filter."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def consent_times(state: dict) -> dict[str, datetime | None]:
    """Since when a member contributes and when their facts were last refreshed."""
    since = stamp(state.get("since"))
    return {"since": since, "refreshed": stamp(state.get("refreshed_at")) or since}

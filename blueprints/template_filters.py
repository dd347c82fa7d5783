"""Template helpers every page may use: Jinja filters, tests and globals, registered once by
`register(app)` from the app factory. Small and presentational; rules stay in domain/."""
from __future__ import annotations

import hashlib
import hmac
from datetime import date

from babel.dates import format_date
from flask import Flask, g, has_request_context
from flask_babel import get_locale

from blueprints import guards, i18n, search_state
from domain.catalogue import themes
from domain.core import keyring


def tag_ref(tag: str) -> str:
    """A tag as it may appear in a URL: a keyed hash under the viewer's user key, never the tag
    itself. Tags are journal content (encrypted at rest); URLs end up in access logs and history."""
    if "tag_ref_key" not in g:
        g.tag_ref_key = keyring.hkdf(guards.user_key(), "tag-ref")
    key = g.tag_ref_key
    return hmac.new(key, tag.casefold().encode(), hashlib.sha256).hexdigest()[:24]


def tag_named(ref: str, tags) -> str:
    """The tag behind a reference from tag_ref (links and the tag filter carry those); typed text
    that matches no reference is kept as it is."""
    return next((t for t in tags if tag_ref(t) == ref), ref)


def vocab_label(choice_id: str, vocab) -> str:
    return themes.choice_label(vocab, choice_id)


def theme_name(theme_id: str) -> str:
    return themes.theme(theme_id).name if theme_id in themes.THEME_IDS else theme_id


def subtheme_name(subtheme_id: str) -> str:
    return themes.subtheme(subtheme_id).name if subtheme_id in themes.SUBTHEME_IDS else subtheme_id


def entries_url(**values) -> str:
    return search_state.entries_url(**values)


def _month(month: str, pattern: str) -> str:
    year, mon = month.split("-")
    # Outside a request (a PDF built in a test or a job) months are named in English.
    locale = (get_locale() if has_request_context() else None) or "en"
    return format_date(date(int(year), int(mon), 1), pattern, locale=locale)


def iso_day(value: str) -> str:
    """A date field's stored ISO string in words ("30. november 2026"); anything else as it is."""
    try:
        return i18n.day(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value


def short_month(month: str) -> str:
    """"2026-03" -> "Mar 26" / "mar 26": fits under a column on a phone."""
    return _month(month, "LLL yy")


def month_name(month: str) -> str:
    """"2026-03" -> "March 2026" / "mars 2026"."""
    return _month(month, "LLLL y")


# Small adapters from trend results to chart rows (label, value, highlight).

def row_total(row: str, table, label_fn) -> tuple[str, int, bool]:
    return label_fn(row), table.row_total(row), False


def nonzero(row: tuple) -> bool:
    return bool(row[1])


def single(pair: tuple) -> tuple:
    return str(pair[0]), [pair[1]]


def bright_heavy(row: tuple) -> tuple:
    return short_month(row[0]), [row[1], row[2]]


def mean_series(row: tuple) -> tuple:
    return short_month(row[0]), [round(row[1], 1) if row[1] is not None else None]


def feeling_row(pair: tuple, vocab) -> tuple[str, int, bool]:
    return themes.choice_label(vocab, pair[0]), pair[1], False


FILTERS = (tag_ref, vocab_label, theme_name, subtheme_name, row_total, single, bright_heavy, mean_series,
           feeling_row, month_name, short_month, iso_day)


def register(app: Flask) -> None:
    for fn in FILTERS:
        app.add_template_filter(fn)
    app.add_template_test(nonzero)
    app.add_template_global(entries_url)

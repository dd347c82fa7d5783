"""What a lead (or member) sees of a group's trends for one fixed period: the period from the
query string, the release of its year (domain/trends/adaptive.py), the view, the headline and
the words that say how each table was coarsened."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.trends import SUBTHEME_ORDER, SUPPORT_ORDER, THEME_ORDER, label
from domain.catalogue.entry_kinds import KIND_IDS
from domain.core.db import utcnow
from domain.groups import merged_counts
from domain.trends import adaptive, periods
from domain.trends.headline import Headline, headline

# How a table was cut, by the levels of its columns (coarse to fine).
GRAIN_WORDS = {"month": _l("per month"), "quarter": _l("per quarter"), "term": _l("per half-year"),
               "year": _l("for the whole year")}


@dataclass
class Asked:
    period: periods.Period
    offered: list[periods.Period]
    view: adaptive.View
    headline: Headline


def _view(counts: merged_counts.Counts, period: periods.Period, k: int, releases: dict) -> adaptive.View:
    """The period's view; `releases` keeps each year's release for the rest of the request (a
    period and the one before it are usually in the same year)."""
    if period.year not in releases:
        releases[period.year] = adaptive.release(
            period.year, counts, k, kind_order=list(KIND_IDS),
            theme_order=THEME_ORDER, subtheme_order=SUBTHEME_ORDER, support_order=SUPPORT_ORDER)
    return adaptive.view(releases[period.year], period, counts({period.id: period.months()}))


def asked(group_id: str, k: int) -> Asked:
    today = utcnow().date()
    period = periods.parse(request.args.get("period")) or periods.default(today)
    offered = periods.offered(today)
    if period not in offered:
        offered.append(period)
    # One read of the counts of the period's year (and the year before, when the previous period
    # lies there) serves every block of both releases and the contributors of both periods.
    counts = merged_counts.read(group_id, period.previous().year, period.year)
    releases: dict = {}
    v = _view(counts, period, k, releases)
    return Asked(period, offered, v, headline(v, _view(counts, period.previous(), k, releases)))


def period_label(p: periods.Period) -> str:
    """"Jul–Dec 2026", "Q4 2026", "Nov 2026", "2026" in the reader's language."""
    if p.level == "year":
        return str(p.year)
    first = format_date(_day(p.year, p.first_month), "LLL")
    if p.level == "month":
        return format_date(_day(p.year, p.first_month), "LLLL yyyy")
    last = format_date(_day(p.year, p.first_month + len(p.months()) - 1), "LLL")
    return f"{first}–{last} {p.year}"


def block_label(block_id: str) -> str:
    """A column heading: a month as "Nov 26", a longer block as its period."""
    p = periods.parse(block_id)
    if p is None:
        return block_id
    if p.level == "month":
        return format_date(_day(p.year, p.first_month), "LLL yy")
    # Columns of one view all lie in one year (the period names it above the table).
    return period_label(p).rsplit(" ", 1)[0]


def merged_text(v: adaptive.View) -> str:
    """"Some subthemes are counted together under their theme", naming the themes."""
    if not v.merged:
        return ""
    ids = [t for t in THEME_ORDER if t in v.merged] + sorted(v.merged - set(THEME_ORDER))
    return _("Subthemes are counted together under: %(themes)s. Apart, they would point at too few people.",
             themes=", ".join(label(t) for t in ids))


def grain_text(levels: tuple[str, ...]) -> str:
    """"per quarter", or "per month, per quarter" when the partition mixes grains."""
    return ", ".join(str(GRAIN_WORDS[lv]) for lv in reversed(levels))


def _day(year: int, month: int) -> date:
    return date(year, month, 1)

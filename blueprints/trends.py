"""Personal trends: the therapist's own patterns, computed in memory from decrypted entries."""
from __future__ import annotations

import calendar

from flask import Blueprint, render_template, request
from flask_login import current_user

from blueprints import guards
from domain.catalogue import themes
from domain.catalogue.entry_kinds import KIND_IDS, KINDS
from domain.core.db import utcnow
from domain.journal import index as journal_index
from domain.journal import processes
from domain.trends import personal as trends
from domain.trends import store as trend_store

bp = Blueprint("trends", __name__)

PERIODS = {"3": 3, "6": 6, "12": 12, "all": None}
THEME_ORDER = [t.id for t in themes.THEMES]
SUBTHEME_ORDER = [s.id for t in themes.THEMES for s in t.subthemes]


def period_arg() -> tuple[str, int | None]:
    p = request.args.get("period", "6")
    return (p, PERIODS[p]) if p in PERIODS else ("6", 6)


def label(row_id: str) -> str:
    """One label function for every table row id (kinds, themes, subthemes, bands, outcomes)."""
    if row_id in KINDS:
        return KINDS[row_id].label
    if row_id in themes.THEME_IDS:
        return themes.theme(row_id).short
    if row_id in themes.SUBTHEME_IDS:
        return themes.subtheme(row_id).name
    if row_id in ("ended_early", "reported"):
        return themes.choice_label(themes.PROCESS_STATUS, row_id)
    return row_id


@bp.route("/trends")
@guards.login_required
def personal():
    key = guards.user_key()
    period, months = period_arg()
    index = journal_index.view(current_user.user, key, guards.session_row().id)
    procs = [trends.ProcessFact(p.row.id, p.data.get("status", "ongoing"))
             for p in processes.all_items(current_user.id, key)]
    today = utcnow().date()

    def compute() -> trends.PersonalTrends:
        facts = index.memo(("trend facts",), lambda: [trend_store.entry_fact(i.data, i.row.created_at.date())
                                                      for i in index.saved if not i.broken])
        return trends.personal_trends(facts, procs, today, months, kind_order=list(KIND_IDS),
                                      theme_order=THEME_ORDER, subtheme_order=SUBTHEME_ORDER)
    # Processes are not in the index: their statuses are part of the key.
    t = index.memo(("trends", today, months, tuple(sorted((p.id, p.status) for p in procs))), compute)
    return render_template("trends/personal.html", t=t, period=period, periods=PERIODS, label=label,
                           feelings=themes.FEELINGS, statuses=themes.PROCESS_STATUS)


# Small adapters from trend results to chart rows (label, value, highlight).

@bp.app_template_filter("row_total")
def _row_total(row: str, table, label_fn) -> tuple[str, int, bool]:
    return label_fn(row), table.row_total(row), False


@bp.app_template_test("nonzero")
def _nonzero_test(row: tuple) -> bool:
    return bool(row[1])


@bp.app_template_filter("single")
def _single(pair: tuple) -> tuple:
    return str(pair[0]), [pair[1]]


def short_month(month: str) -> str:
    """"2026-03" -> "Mar 26": fits under a column on a phone."""
    year, mon = month.split("-")
    return f"{calendar.month_abbr[int(mon)]} {year[2:]}"


@bp.app_template_filter("bright_heavy")
def _bright_heavy(row: tuple) -> tuple:
    return short_month(row[0]), [row[1], row[2]]


@bp.app_template_filter("mean_series")
def _mean_series(row: tuple) -> tuple:
    return short_month(row[0]), [round(row[1], 1) if row[1] is not None else None]


@bp.app_template_filter("feeling_row")
def _feeling_row(pair: tuple, vocab) -> tuple[str, int, bool]:
    return themes.choice_label(vocab, pair[0]), pair[1], False


@bp.app_template_filter("status_row")
def _status_row(pair: tuple, vocab) -> tuple[str, int, bool]:
    return themes.choice_label(vocab, pair[0]), pair[1], pair[0] in ("ended_early", "reported")

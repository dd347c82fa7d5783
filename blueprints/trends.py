"""Personal trends: the therapist's own patterns, computed in memory from decrypted entries."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints import guards
from blueprints.template_filters import short_month  # noqa: F401 (groups label months the same way)
from domain.catalogue import themes
from domain.catalogue.entry_kinds import KIND_IDS, KINDS
from domain.core.db import utcnow
from domain.groups import contributions as trend_store
from domain.journal import index as journal_index
from domain.journal import processes
from domain.trends import personal as trends
from domain.trends.facts import MERGED_SUFFIX

bp = Blueprint("trends", __name__)

PERIODS = {"3": 3, "6": 6, "12": 12, "all": None}
THEME_ORDER = [t.id for t in themes.THEMES]
SUBTHEME_ORDER = [s.id for t in themes.THEMES for s in t.subthemes]
SUPPORT_ORDER = [c.id for c in themes.SUPPORTS]
SUPPORT_IDS = frozenset(SUPPORT_ORDER)
OUTCOME_LABELS = {"reported": _l("Concern reported"), "ended_early": _l("Guidance ended early"),
                  "ended_as_planned": _l("Guidance ended as planned")}


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
    if row_id.endswith(MERGED_SUFFIX) and (theme := row_id[:-len(MERGED_SUFFIX)]) in themes.THEME_IDS:
        return _("%(theme)s: subthemes together", theme=themes.theme(theme).short)
    if row_id in OUTCOME_LABELS:
        return str(OUTCOME_LABELS[row_id])
    if row_id in SUPPORT_IDS:
        return themes.choice_label(themes.SUPPORTS, row_id)
    return row_id


@bp.route("/trends")
@guards.login_required
def personal():
    key = guards.user_key()
    period, months = period_arg()
    index = journal_index.view(current_user.user, key, guards.session_row().id)
    procs = [trends.ProcessFact.of(p.row.id, p.data) for p in processes.all_items(current_user.id, key)]
    today = utcnow().date()

    def compute() -> trends.PersonalTrends:
        # i.day is the visit date, else the creation day: what entry_fact falls back to.
        facts = index.memo(("trend facts",), lambda: [trend_store.entry_fact(i.data, i.day)
                                                      for i in index.saved if not i.broken])
        return trends.personal_trends(facts, procs, today, months, kind_order=list(KIND_IDS),
                                      theme_order=THEME_ORDER, subtheme_order=SUBTHEME_ORDER,
                                      support_order=SUPPORT_ORDER)
    # Processes are not in the index: their outcomes are part of the key.
    t = index.memo(("trends", today, months, tuple(sorted((p.id, p.reached) for p in procs))), compute)
    return render_template("trends/personal.html", t=t, period=period, periods=PERIODS, label=label,
                           feelings=themes.FEELINGS,
                           outcome_rows=[(label(o), n, True) for o, n in t.outcomes.items()])

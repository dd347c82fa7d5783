"""The start page: a welcome for visitors; quick capture and what waits, for therapists."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user

from blueprints import guards
from blueprints import retention as retention_views
from blueprints import sharing as sharing_views
from domain.accounts import account as accounts
from domain.catalogue.entry_kinds import KINDS
from domain.journal import index as journal_index
from domain.sharing import shares as sharing

bp = Blueprint("home", __name__)
SHOWN = 5   # cards per block, and things in "Deleted soon": home's work does not grow with the journal


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    if session.get("pending_rc"):
        return redirect(url_for("auth.recovery_code"))
    key = guards.user_key()
    index = journal_index.view(current_user.user, key, guards.session_row().id)
    news = sharing.unseen_summary(current_user.id, sharing_views.unseen_counts())
    urgent = sharing.urgent_waiting(current_user.user, key, news["waiting_ids"])
    recent = index.saved[:SHOWN]
    retention_views.shown(i.row.id for i in (*recent, *index.drafts[:SHOWN], *index.flagged[:SHOWN]))
    return render_template("home/index.html", profile=accounts.read_profile(current_user.user, key),
                           kinds=KINDS, recent=recent, drafts=index.drafts, flagged=index.flagged,
                           news=news, urgent=urgent, shown=SHOWN, expiring_limit=SHOWN)


@bp.route("/about")
def about():
    return render_template("home/about.html")

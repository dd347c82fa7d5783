"""The start page: a welcome for visitors; quick capture and what waits, for therapists."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user

from blueprints import guards, page_memo
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
    user, key = current_user.user, guards.user_key()
    index = journal_index.view(user, key, guards.session_row().id)
    counts = sharing_views.unseen_counts()
    news = sharing.unseen_summary(current_user.id, counts)
    urgent = sharing.urgent_waiting(user, key, news["waiting_ids"])
    recent = index.saved[:SHOWN]
    dates = retention_views.card_dates(i.row.id for i in (*recent, *index.drafts[:SHOWN], *index.flagged[:SHOWN]))
    soon, soon_total = retention_views.expiring_soon(SHOWN)
    # What the page shows besides the journal's state; the sealed profile stands for its name.
    inputs = (user.profile_sealed, counts, urgent, dates, tuple(soon), soon_total)
    return page_memo.render(index, "home/index.html", inputs, lambda: {
        "profile": accounts.read_profile(user, key), "kinds": KINDS, "recent": recent, "drafts": index.drafts,
        "flagged": index.flagged, "news": news, "urgent": urgent, "shown": SHOWN, "soon_notice": (soon, soon_total)})


@bp.route("/about")
def about():
    return render_template("home/about.html")

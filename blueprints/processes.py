"""Guidance process pages: list (with outcome filters), create with the intake screening, view
with mandate card, screening next steps and the timeline of entries and reviews, edit, delete.
The review log's own pages are in blueprints/process_reviews.py."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import guards
from blueprints.access import owned_or_404
from blueprints.forms import EmptyForm
from blueprints.i18n import say
from blueprints.process_forms import data_from, form_data, process_differences, process_form
from domain.catalogue import themes
from domain.catalogue.entry_kinds import KINDS
from domain.core import versions
from domain.core.db import db, id_ok, new_id, utcnow
from domain.core.models import Process
from domain.journal import entries as journal
from domain.journal import index as journal_index
from domain.journal import process_fields, process_reviews, process_screening, processes

bp = Blueprint("processes", __name__, url_prefix="/processes")


FILTERS = {"open": lambda p: p.is_open, "ended": lambda p: not p.is_open,
           "reported": lambda p: p.shown["reported"] == "yes"}


def _save(form, row: Process | None):
    """Returns (saved row or None, status, code warnings)."""
    if not form.validate():
        return None, 400, []
    warnings = processes.code_questions(row, guards.user_key(), form.code.data)
    if warnings and not form.code_ack.data:
        form.code_ack.errors = [_("Tick this box to keep the code anyway, or change it.")]
        return None, 400, [say(w) for w in warnings]
    old = processes.read(row, guards.user_key()) if row is not None else {}
    data = data_from(form, old)
    target = row.id if row is not None else (form.form_id.data if id_ok(form.form_id.data) else None)
    row = processes.save(current_user.user, guards.user_key(), target, data,
                         versions.base_version(form.version.data))
    db.session.commit()
    return row, 302, []


def _save_or_conflict(form, row: Process | None):
    """(saved row or None, response to send instead)."""
    try:
        saved, status, warnings = _save(form, row)
    except versions.Conflict as conflict:
        db.session.rollback()
        form.version.data = str(conflict.version)
        diffs = process_differences(form, processes.clean(conflict.mine), conflict.theirs)
        return None, (render_template("processes/form.html", form=form, row=conflict.row, warnings=[],
                                      conflict=diffs), 409)
    if saved is not None:
        flash(_("The process is saved."), "ok")
        return saved, redirect(url_for("processes.view", process_id=saved.id))
    return None, (render_template("processes/form.html", form=form, row=row, warnings=warnings), status)


@bp.route("/")
@guards.login_required
def index():
    items = processes.all_items(current_user.id, guards.user_key())
    show = request.args.get("show", "")
    if show in FILTERS:
        items = [p for p in items if FILTERS[show](p)]
    return render_template("processes/list.html", items=items, show=show if show in FILTERS else "")


@bp.route("/new", methods=["GET", "POST"])
@guards.login_required
def new():
    if request.method == "POST":
        return _save_or_conflict(process_form(), None)[1]
    form = process_form(data={"form_id": new_id(), "screening_on": utcnow().date()})
    return render_template("processes/form.html", form=form, row=None, warnings=[])


@bp.route("/<process_id>")
@guards.login_required
def view(process_id: str):
    row = owned_or_404(processes.get_owned, process_id)
    key = guards.user_key()
    data = processes.read(row, key)
    # The sealed index holds kind, day, process and headline: no entry needs opening here.
    index = journal_index.view(current_user.user, key, guards.session_row().id)
    entries = [i for i in index.saved if i.data.get("process_id") == row.id]
    reasons = processes.supervision_reasons(data, entries, utcnow().date())
    p = processes.ProcessItem(row, data)
    steps = [(label, say(step)) for label, step in process_screening.next_steps(p.shown["screening"])]
    return render_template("processes/view.html", p=p, d=p.shown, reasons=[say(r) for r in reasons],
                           steps=steps, split=process_screening.split(p.shown["screening"]),
                           moments=process_reviews.timeline(entries, p.shown["review_log"]),
                           mandate=processes.mandate_of(data), responses=process_fields.responses(),
                           themes=themes, kinds=KINDS)


@bp.route("/<process_id>/edit", methods=["GET", "POST"])
@guards.login_required
def edit(process_id: str):
    row = owned_or_404(processes.get_owned, process_id)
    if request.method == "POST":
        return _save_or_conflict(process_form(), row)[1]
    form = process_form(data=form_data(processes.read(row, guards.user_key())) | {"version": str(row.version)})
    return render_template("processes/form.html", form=form, row=row, warnings=[])


@bp.route("/<process_id>/delete", methods=["GET", "POST"])
@guards.login_required
def delete(process_id: str):
    row = owned_or_404(processes.get_owned, process_id)
    key = guards.user_key()
    p = processes.ProcessItem(row, processes.read(row, key))
    form = EmptyForm()
    if form.validate_on_submit():
        processes.delete(row, journal.all_items(current_user.id, key), key)
        db.session.commit()
        flash(_("The process is deleted. Its entries are kept, without the link."), "ok")
        return redirect(url_for("processes.index"))
    return render_template("processes/delete.html", p=p, form=form), 400 if form.is_submitted() else 200

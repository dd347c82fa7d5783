"""The review log of a guidance process: add, edit and delete one film review. The reviews live in
the process's sealed blob (domain/journal/process_reviews.py); every route checks the process
belongs to the acting user, and a review id that is not in that process is a 404."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import guards
from blueprints.access import owned_or_404
from blueprints.forms import EmptyForm
from blueprints.process_forms import review_form, review_from
from domain.core.db import db, id_ok, new_id, utcnow
from domain.journal import process_fields, process_reviews, processes

bp = Blueprint("process_reviews", __name__, url_prefix="/processes")


def _page(form, p, review, status=200, conflict=None):
    return render_template("processes/review_form.html", form=form, p=p, review=review,
                           conflict=conflict, responses=process_fields.responses()), status


def _save(form, p, review: dict | None):
    if not form.validate():
        return _page(form, p, review, 400)
    review_id = review["id"] if review else (form.form_id.data if id_ok(form.form_id.data) else new_id())
    base = int(form.rev.data) if (form.rev.data or "").isdigit() and len(form.rev.data) < 9 else None
    try:
        process_reviews.save(current_user.user, guards.user_key(), p.row.id, review_from(form, review_id), base)
    except process_reviews.ReviewConflict as conflict:
        db.session.rollback()
        form.rev.data = str(conflict.rev)
        return _page(form, p, review, 409, conflict=conflict.theirs)
    db.session.commit()
    flash(_("The review is saved."), "ok")
    return redirect(url_for("processes.view", process_id=p.row.id) + "#timeline")


def _process(process_id: str) -> processes.ProcessItem:
    row = owned_or_404(processes.get_owned, process_id)
    return processes.ProcessItem(row, processes.read(row, guards.user_key()))


def _review(p: processes.ProcessItem, review_id: str) -> dict:
    review = process_reviews.find(p.shown, review_id)
    if review is None:
        abort(404)
    return review


@bp.route("/<process_id>/reviews/new", methods=["GET", "POST"])
@guards.login_required
def new(process_id: str):
    p = _process(process_id)
    if request.method == "POST":
        return _save(review_form(), p, None)
    return _page(review_form(data={"form_id": new_id(), "day": utcnow().date(),
                                   "dialogue_element": p.data.get("dialogue_element", "")}), p, None)


@bp.route("/<process_id>/reviews/<review_id>", methods=["GET", "POST"])
@guards.login_required
def edit(process_id: str, review_id: str):
    p = _process(process_id)
    review = _review(p, review_id)
    if request.method == "POST":
        return _save(review_form(), p, review)
    values = {**review, "day": date.fromisoformat(review["day"]) if review["day"] else None,
              "rev": str(review["rev"])}
    return _page(review_form(data=values), p, review)


@bp.route("/<process_id>/reviews/<review_id>/delete", methods=["GET", "POST"])
@guards.login_required
def delete(process_id: str, review_id: str):
    p = _process(process_id)
    review = _review(p, review_id)
    form = EmptyForm()
    if form.validate_on_submit():
        process_reviews.delete(current_user.user, guards.user_key(), p.row.id, review_id)
        db.session.commit()
        flash(_("The review is deleted."), "ok")
        return redirect(url_for("processes.view", process_id=p.row.id))
    return render_template("processes/review_delete.html", p=p, review=review, form=form), \
        400 if form.is_submitted() else 200

"""Journal pages: capture, view, edit, delete, list with filters and search, autosave."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import guards, page_memo, quick_capture, search_state, sharing_send
from blueprints import journal_forms as forms
from blueprints import retention as retention_views
from blueprints import sharing as sharing_views
from blueprints.access import owned_or_404
from blueprints.forms import EmptyForm
from blueprints.i18n import say
from blueprints.template_filters import tag_named
from domain.catalogue import themes
from domain.catalogue.entry_kinds import KINDS
from domain.core import versions
from domain.core.db import db, id_ok, new_id
from domain.core.models import Entry
from domain.journal import entries as journal
from domain.journal import filters as journal_filters
from domain.journal import identifying, processes
from domain.journal import index as journal_index
from domain.journal.differences import entry_differences
from domain.journal.entries import EntryError

bp = Blueprint("journal", __name__)


def _processes() -> processes.Choices:   # ids to check a posted form; codes when one is shown
    return processes.Choices(current_user.id, guards.user_key())


def _opened(entry_id: str) -> tuple[Entry, dict]:
    """The viewer's own entry (404 otherwise) and its content. An entry that cannot be opened
    ends the request here with a redirect to its repair page."""
    row = owned_or_404(journal.get_owned, entry_id)
    data = journal.open_row(row, guards.user_key())
    if data is None:
        abort(redirect(url_for("journal.repair", entry_id=row.id)))
    return row, data


def _render_form(form, kind_id: str, entry: Entry | None, procs: processes.Choices, status: int = 200,
                 warnings=None, is_draft: bool = False, conflict=None):
    forms.offer_processes(form, procs.labelled())
    return render_template("journal/form.html", form=form, kind=KINDS[kind_id], entry=entry, themes=themes.THEMES,
                           warnings=warnings or {}, is_draft=is_draft, conflict=conflict,
                           filled=quick_capture.filled_count(form, KINDS[kind_id])), status


def _save(form, kind_id: str, entry: Entry | None, procs) -> tuple[str | None, int, dict]:
    """Validate and store: (entry id or None, HTTP status for a re-render, pii warnings), or
    versions.Conflict when the entry was saved elsewhere since this form was opened."""
    draft = request.form.get("action") == "draft"
    if not form.validate():
        return None, 400, {}
    data = forms.entry_data_from(form, kind_id)
    try:
        data = journal.clean(data, procs.ids_for(data), draft)
    except EntryError as exc:
        forms.show_refusal(form, exc.field, say(exc))
        return None, 400, {}
    if not draft and not form.pii_ack.data:
        warnings = identifying.findings(kind_id, form.data)
        if warnings:
            form.pii_ack.data = "1"
            return None, 200, warnings
    entry_id = journal.save(current_user.user, guards.user_key(), forms.form_entry_id(form, entry), data,
                            versions.base_version(form.version.data)).id   # read before the commit expires it
    db.session.commit()
    return entry_id, 302, {}


def _conflict(form, kind_id: str, procs, conflict: versions.Conflict):
    """Nothing was written: show both versions. The form keeps what this device typed and names
    the newer version (Save keeps it); the saved version is one link away."""
    db.session.rollback()
    form.version.data = str(conflict.version)
    form.pii_ack.data = "1"   # the privacy check was answered before the conflict showed
    diffs = entry_differences(kind_id, conflict.mine, conflict.theirs, dict(procs.labelled()), word=_)
    return _render_form(form, kind_id, conflict.row, procs, 409, conflict=diffs,
                        is_draft=conflict.theirs.get("status") == "draft")


def _submit(form, kind_id: str, entry: Entry | None, procs, is_draft: bool = False):
    """A posted new-entry or edit form: one more film row, a save, both versions, or the form again."""
    action = request.form.get("action")
    if forms.more_films(form, action):
        return _render_form(form, kind_id, entry, procs, is_draft=is_draft)
    try:
        entry_id, status, warnings = _save(form, kind_id, entry, procs)
    except versions.Conflict as conflict:
        return _conflict(form, kind_id, procs, conflict)
    offer = sharing_send.offer_after_save(entry_id, kind_id, form, action)  # urgent dilemma: "send it now?"
    if offer:
        return redirect(offer)
    if entry_id is not None:
        flash(_("Saved as a draft.") if entry is None and action == "draft" else _("Saved."), "ok")
        return redirect(url_for("journal.view", entry_id=entry_id))
    return _render_form(form, kind_id, entry, procs, status, warnings, is_draft=is_draft)


@bp.route("/entries/new/<kind_id>", methods=["GET", "POST"])
@guards.login_required
def new(kind_id: str):
    if kind_id not in KINDS:
        abort(404)
    procs = _processes()
    data = {"draft_id": new_id(), "supervision": "no"}
    if request.method == "GET" and request.args.get("process"):
        data["process_id"] = request.args["process"]
    form = forms.entry_form(kind_id, procs, data=data)
    if request.method == "GET":
        return _render_form(form, kind_id, None, procs)
    return _submit(form, kind_id, None, procs)


@guards.resumable("journal.new")
def _resume_new(formdata, kind_id: str):
    forms.fresh_csrf_after_login()
    procs = _processes()
    flash(_("Welcome back. Your text is still here: check it and save."), "info")
    return _render_form(forms.entry_form(kind_id, procs, formdata=formdata), kind_id, None, procs)


@bp.route("/entries/<entry_id>")
@guards.login_required
def view(entry_id: str):
    row, data = _opened(entry_id)
    process = processes.owned_item(current_user.id, data.get("process_id"), guards.user_key())
    return render_template("journal/view.html", item=journal.Item(row, data), kind=KINDS[data["kind"]],
                           process=process)


@bp.route("/entries/<entry_id>/edit", methods=["GET", "POST"])
@guards.login_required
def edit(entry_id: str):
    row, data = _opened(entry_id)
    procs = _processes()
    is_draft = data.get("status") == "draft"   # a draft keeps its "Save draft" button on a re-render
    if request.method == "POST":
        return _submit(forms.entry_form(data["kind"], procs), data["kind"], row, procs, is_draft)
    values = forms.form_data_from_entry(data) | {"draft_id": row.id, "version": str(row.version)}
    return _render_form(forms.entry_form(data["kind"], procs, data=values), data["kind"], row, procs, is_draft=is_draft)


@guards.resumable("journal.edit")
def _resume_edit(formdata, entry_id: str):
    forms.fresh_csrf_after_login()
    row = owned_or_404(journal.get_owned, entry_id)
    data = journal.read(row, guards.user_key())
    procs = _processes()
    flash(_("Welcome back. Your changes are still here: check them and save."), "info")
    return _render_form(forms.entry_form(data["kind"], procs, formdata=formdata), data["kind"], row,
                        procs, is_draft=data.get("status") == "draft")


def _deleted(row: Entry):
    journal.delete(row, guards.user_key())
    db.session.commit()
    flash(_("The entry is deleted."), "ok")
    return redirect(url_for("journal.index"))


@bp.route("/entries/<entry_id>/delete", methods=["GET", "POST"])
@guards.login_required
def delete(entry_id: str):
    row, data = _opened(entry_id)
    form = EmptyForm()
    if form.validate_on_submit():
        return _deleted(row)
    return render_template("journal/delete.html", item=journal.Item(row, data), form=form), \
        400 if form.is_submitted() else 200


@bp.route("/entries/<entry_id>/repair", methods=["GET", "POST"])
@guards.login_required
def repair(entry_id: str):
    """An entry that cannot be opened: what is known of it, and a way to delete it."""
    row = owned_or_404(journal.get_owned, entry_id)
    form = EmptyForm()
    if form.is_submitted() and not form.validate():
        return render_template("journal/repair.html", row=row, form=form), 400
    if journal.open_row(row, guards.user_key()) is not None:
        return redirect(url_for("journal.view", entry_id=row.id))
    if form.is_submitted():
        return _deleted(row)
    return render_template("journal/repair.html", row=row, form=form)


@bp.route("/entries/autosave", methods=["POST"])
@guards.login_required
def autosave():
    """Progressive enhancement: app.js posts the open form here now and then, as a draft."""
    kind_id = request.form.get("kind", "")
    if kind_id not in KINDS:
        return jsonify(ok=False, error="unknown kind"), 400
    procs = _processes()
    form = forms.entry_form(kind_id, procs)
    if not form.validate():
        return jsonify(ok=False, errors={k: v for k, v in form.errors.items() if k != "csrf_token"},
                       csrf=bool(form.csrf_token.errors)), 400
    if not id_ok(form.draft_id.data):
        return jsonify(ok=False, error="missing draft id"), 400
    try:
        data = forms.entry_data_from(form, kind_id)
        row = journal.save_draft(current_user.user, guards.user_key(), form.draft_id.data, data, procs.ids_for(data),
                                 versions.base_version(form.version.data))
    except EntryError as exc:
        return jsonify(ok=False, errors={exc.field: [say(exc)]}), 400
    except versions.Conflict as conflict:
        # Quietly: the page says a newer version exists; Save then shows both texts.
        db.session.rollback()
        return jsonify(ok=False, conflict=True, version=conflict.version), 409
    if row is None:
        db.session.rollback()
        return jsonify(ok=True, skipped="saved entries are only changed with Save"), 200
    db.session.commit()
    # An edit form's hidden version follows its own autosaves (app.js), so Save compares against them.
    return jsonify(ok=True, version=row.version) if form.version.data else jsonify(ok=True)


@bp.route("/entries", methods=["GET", "POST"])
@guards.login_required
def index():
    """GET shows the list for a sealed filter state (?f=...); POST (the search form) seals what was
    chosen and typed and redirects there, so no word or choice ever sits in a URL."""
    moved = search_state.sealed_redirect(request.method, request.form, request.args)
    if moved is not None:
        return moved
    state, expired = search_state.requested(request.args)
    if expired:
        flash(_("That search has expired. Please search again."), "info")
    f = journal_filters.parse(state)
    index = journal_index.view(current_user.user, guards.user_key(), guards.session_row().id)
    procs = processes.labels(current_user.id, guards.user_key(), guards.session_row().id)
    f.tag = tag_named(f.tag, index.tags) if f.tag else ""
    selected = journal_index.select_entries(index, f, guards.user_key()) if not f.errors else []
    shown, page, pages = journal_filters.page_of(selected, request.args.get("page", "1"))
    args = {k: v for k, v in request.args.items() if k in ("f", "drafts") and v}
    context = {"items": shown, "total": len(selected), "page": page, "pages": pages, "f": f, "args": args,
               "typed": state, "procs": procs, "tags": index.tags, "themes": themes.THEMES, "kinds": KINDS}
    if f.errors:
        return render_template("journal/list.html", **context), 400
    # The filter and page come from the URL; the codes, dates and badge count are read here.
    inputs = (tuple(procs), retention_views.card_dates(i.row.id for i in shown), sharing_views.unseen_counts())
    return page_memo.render(index, "journal/list.html", inputs, lambda: context)


@bp.route("/themes")
def themes_page():
    return render_template("journal/themes.html", themes=themes.THEMES)

"""Journal pages: capture, view, edit, delete, list with filters and search, autosave."""
from __future__ import annotations

import hashlib
import hmac
from datetime import date

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from blueprints import guards, search_state
from blueprints.forms import EmptyForm
from blueprints.journal_forms import entry_data_from, entry_differences, entry_form, form_data_from_entry
from domain.catalogue import themes
from domain.catalogue.entry_kinds import KINDS
from domain.core import keyring, versions
from domain.core.db import db, new_id
from domain.core.models import Entry
from domain.journal import entries as journal
from domain.journal import index as journal_index
from domain.journal import processes
from domain.journal.entries import EntryError, Filters
from domain.pii import detect as pii

bp = Blueprint("journal", __name__)

PAGE_SIZE = 20
TEXT_TYPES = ("text", "line")


def _process_choices():
    procs = processes.all_items(current_user.id, guards.user_key())
    return procs, [(p.row.id, p.code) for p in procs]


def _owned_or_404(entry_id: str) -> Entry:
    row = journal.get_owned(current_user.id, entry_id)
    if row is None:
        abort(404)
    return row


def _pii_findings(form, kind_id: str) -> dict:
    """Identifying details in what was typed: warnings, never a block (the trade's rule: no family names in notes)."""
    fields = {f.name: getattr(form, f.name).data or "" for f in KINDS[kind_id].fields if f.type in TEXT_TYPES}
    fields["title"] = form.title.data or ""
    fields.update({f"films-{i}-shows": (sub.shows.data or "") for i, sub in enumerate(form.films)})
    labels = {f.name: f.label for f in KINDS[kind_id].fields} | {"title": "Title"}
    return {labels.get(k, "Film moment"): v for k, v in pii.scan_fields(fields).items()}


def _render_form(form, kind_id: str, entry: Entry | None, status: int = 200, warnings=None,
                 is_draft: bool = False, conflict=None):
    return render_template("journal/form.html", form=form, kind=KINDS[kind_id], entry=entry,
                           themes=themes.THEMES, warnings=warnings or {}, is_draft=is_draft,
                           conflict=conflict), status


def _more_films(form) -> bool:
    """The no-JS "Add a film moment" button: one more empty row, nothing saved yet."""
    if request.form.get("action") != "more-films":
        return False
    if len(form.films) < form.films.max_entries:
        form.films.append_entry()
    return True


def _save(form, kind_id: str, entry: Entry | None, procs) -> tuple[Entry | None, int, dict]:
    """Validate and store. Returns (entry or None, HTTP status for a re-render, pii warnings).
    Raises versions.Conflict when the entry was saved elsewhere since this form was opened."""
    draft = request.form.get("action") == "draft"
    if not form.validate():
        return None, 400, {}
    data = entry_data_from(form, kind_id)
    try:
        data = journal.clean(data, {p.row.id for p in procs}, draft)
    except EntryError as exc:
        target = getattr(form, exc.field if exc.field != "themes" else "themes_", None) or form.title
        target.errors = list(target.errors) + [str(exc)]
        return None, 400, {}
    if not draft and not form.pii_ack.data:
        warnings = _pii_findings(form, kind_id)
        if warnings:
            form.pii_ack.data = "1"
            return None, 200, warnings
    row = journal.save(current_user.user, guards.user_key(), _form_entry_id(form, entry), data,
                       versions.base_version(form.version.data))
    db.session.commit()
    return row, 302, {}


def _form_entry_id(form, entry: Entry | None) -> str | None:
    """The entry an edit form is about, or the id a new-entry form chose when it was opened
    (so a double submit, autosave or Back-then-Save all land on one entry)."""
    if entry is not None:
        return entry.id
    return form.draft_id.data if _id_ok(form.draft_id.data) else None


def _id_ok(candidate: str | None) -> bool:
    return bool(candidate) and len(candidate) == 32 and all(c in "0123456789abcdef" for c in candidate)


def _conflict(form, kind_id: str, procs, conflict: versions.Conflict):
    """Nothing was written: show both versions. The form keeps what this device typed and now
    names the newer version, so Save keeps it; the saved version is one link away."""
    db.session.rollback()
    form.version.data = str(conflict.version)
    form.pii_ack.data = "1"   # the privacy check was answered before the conflict showed
    diffs = entry_differences(kind_id, conflict.mine, conflict.theirs, {p.row.id: p.code for p in procs})
    return _render_form(form, kind_id, conflict.row, 409, conflict=diffs,
                        is_draft=conflict.theirs.get("status") == "draft")


@bp.route("/entries/new/<kind_id>", methods=["GET", "POST"])
@guards.login_required
def new(kind_id: str):
    if kind_id not in KINDS:
        abort(404)
    procs, choices = _process_choices()
    data = {"draft_id": new_id(), "supervision": "no"}
    if request.method == "GET" and request.args.get("process"):
        data["process_id"] = request.args["process"]
    form = entry_form(kind_id, choices, data=data)
    if request.method == "GET":
        return _render_form(form, kind_id, None)
    if _more_films(form):
        return _render_form(form, kind_id, None)
    try:
        row, status, warnings = _save(form, kind_id, None, procs)
    except versions.Conflict as conflict:
        return _conflict(form, kind_id, procs, conflict)
    if row is not None:
        flash("Saved as a draft." if request.form.get("action") == "draft" else "Saved.", "ok")
        return redirect(url_for("journal.view", entry_id=row.id))
    return _render_form(form, kind_id, None, status, warnings)


def _fresh_csrf_after_login() -> None:
    """Login cleared the session (and with it the raw CSRF token), but Flask-WTF caches the signed
    token of the login form in `g` for the rest of the request: a form re-rendered in that same
    request would carry a token that no longer matches and fail on Save. Drop the cached one."""
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


@guards.resumable("journal.new")
def _resume_new(formdata, kind_id: str):
    _fresh_csrf_after_login()
    _procs, choices = _process_choices()
    flash("Welcome back. Your text is still here: check it and save.", "info")
    return _render_form(entry_form(kind_id, choices, formdata=formdata), kind_id, None)


@bp.route("/entries/<entry_id>")
@guards.login_required
def view(entry_id: str):
    row = _owned_or_404(entry_id)
    data = journal.open_row(row, guards.user_key())
    if data is None:
        return redirect(url_for("journal.repair", entry_id=row.id))
    process = None
    if data.get("process_id"):
        prow = processes.get_owned(current_user.id, data["process_id"])
        process = processes.ProcessItem(prow, processes.read(prow, guards.user_key())) if prow else None
    return render_template("journal/view.html", item=journal.Item(row, data), kind=KINDS[data["kind"]],
                           process=process)


@bp.route("/entries/<entry_id>/edit", methods=["GET", "POST"])
@guards.login_required
def edit(entry_id: str):
    row = _owned_or_404(entry_id)
    data = journal.open_row(row, guards.user_key())
    if data is None:
        return redirect(url_for("journal.repair", entry_id=row.id))
    procs, choices = _process_choices()
    if request.method == "GET":
        form = entry_form(data["kind"], choices,
                          data=form_data_from_entry(data) | {"draft_id": row.id, "version": str(row.version)})
        return _render_form(form, data["kind"], row, is_draft=data.get("status") == "draft")
    form = entry_form(data["kind"], choices)
    is_draft = data.get("status") == "draft"   # a draft keeps its "Save draft" button on a re-render
    if _more_films(form):
        return _render_form(form, data["kind"], row, is_draft=is_draft)
    try:
        saved, status, warnings = _save(form, data["kind"], row, procs)
    except versions.Conflict as conflict:
        return _conflict(form, data["kind"], procs, conflict)
    if saved is not None:
        flash("Saved.", "ok")
        return redirect(url_for("journal.view", entry_id=row.id))
    return _render_form(form, data["kind"], row, status, warnings, is_draft=is_draft)


@guards.resumable("journal.edit")
def _resume_edit(formdata, entry_id: str):
    _fresh_csrf_after_login()
    row = _owned_or_404(entry_id)
    data = journal.read(row, guards.user_key())
    _procs, choices = _process_choices()
    flash("Welcome back. Your changes are still here: check them and save.", "info")
    return _render_form(entry_form(data["kind"], choices, formdata=formdata), data["kind"], row,
                        is_draft=data.get("status") == "draft")


@bp.route("/entries/<entry_id>/delete", methods=["GET", "POST"])
@guards.login_required
def delete(entry_id: str):
    row = _owned_or_404(entry_id)
    data = journal.open_row(row, guards.user_key())
    if data is None:
        return redirect(url_for("journal.repair", entry_id=row.id))
    item = journal.Item(row, data)
    form = EmptyForm()
    if form.validate_on_submit():
        journal.delete(row, guards.user_key())
        db.session.commit()
        flash("The entry is deleted.", "ok")
        return redirect(url_for("journal.index"))
    return render_template("journal/delete.html", item=item, form=form), 400 if form.is_submitted() else 200


@bp.route("/entries/<entry_id>/repair", methods=["GET", "POST"])
@guards.login_required
def repair(entry_id: str):
    """An entry that cannot be opened: what is known of it, and a way to delete it."""
    row = _owned_or_404(entry_id)
    form = EmptyForm()
    if form.is_submitted() and not form.validate():
        return render_template("journal/repair.html", row=row, form=form), 400
    if journal.open_row(row, guards.user_key()) is not None:
        return redirect(url_for("journal.view", entry_id=row.id))
    if form.is_submitted():
        journal.delete(row, guards.user_key())
        db.session.commit()
        flash("The entry is deleted.", "ok")
        return redirect(url_for("journal.index"))
    return render_template("journal/repair.html", row=row, form=form)


@bp.route("/entries/autosave", methods=["POST"])
@guards.login_required
def autosave():
    """Progressive enhancement: app.js posts the open form here now and then, as a draft."""
    kind_id = request.form.get("kind", "")
    if kind_id not in KINDS:
        return jsonify(ok=False, error="unknown kind"), 400
    procs, choices = _process_choices()
    form = entry_form(kind_id, choices)
    if not form.validate():
        return jsonify(ok=False, errors={k: v for k, v in form.errors.items() if k != "csrf_token"},
                       csrf=bool(form.csrf_token.errors)), 400
    if not _id_ok(form.draft_id.data):
        return jsonify(ok=False, error="missing draft id"), 400
    try:
        data = journal.clean(entry_data_from(form, kind_id), {p.row.id for p in procs}, draft=True)
    except EntryError as exc:
        return jsonify(ok=False, errors={exc.field: [str(exc)]}), 400
    try:
        row = journal.save(current_user.user, guards.user_key(), form.draft_id.data, data,
                           versions.base_version(form.version.data), drafts_only=True)
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


def _parse_filters(args) -> Filters:
    f = Filters()
    f.kind = args.get("kind", "") if args.get("kind", "") in KINDS else ""
    f.theme = args.get("theme", "") if args.get("theme", "") in themes.THEME_IDS else ""
    f.subtheme = args.get("subtheme", "") if args.get("subtheme", "") in themes.SUBTHEME_IDS else ""
    f.process_id = args.get("process", "")[:64]
    f.supervision = args.get("supervision", "") if args.get("supervision") in ("flagged", "urgent") else ""
    f.tag = args.get("tag", "")[:40]
    f.q = args.get("q", "")[:200].strip()
    f.drafts = args.get("drafts") == "1"
    for name in ("from", "to"):
        raw = args.get(name, "").strip()
        if raw:
            try:
                setattr(f, f"date_{name}", date.fromisoformat(raw))
            except ValueError:
                f.errors[name] = "Please give a real date (for example 2026-03-14)."
    if f.date_from and f.date_to and f.date_from > f.date_to:
        f.errors["to"] = "The end date is before the start date."
    return f


LEGACY_FILTER_ARGS = frozenset(search_state.KEYS) - {"drafts"}


@bp.route("/entries", methods=["GET", "POST"])
@guards.login_required
def index():
    """GET shows the list for a sealed filter state (?f=...); POST (the search form) seals what was
    chosen and typed and redirects there, so no word or choice ever sits in a URL."""
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        return redirect(search_state.entries_url(**search_state.clean(request.form)), 303)
    if LEGACY_FILTER_ARGS & set(request.args):
        # An old bookmark with words in the URL: move them into a sealed state once.
        return redirect(search_state.entries_url(**search_state.clean(request.args)), 303)
    state = search_state.open_state(request.args.get("f"))
    if state is None:
        flash("That search has expired. Please search again.", "info")
        state = {}
    if request.args.get("drafts") == "1":
        state["drafts"] = "1"
    f = _parse_filters(state)
    index = journal_index.view(current_user.user, guards.user_key(), guards.session_row().id)
    procs = processes.all_items(current_user.id, guards.user_key())
    if f.tag:
        # Links and the tag filter carry an opaque reference (see tag_ref); typed text still works.
        f.tag = next((t for t in index.tags if tag_ref(t) == f.tag), f.tag)
    selected = journal_index.select_entries(index, f, guards.user_key()) if not f.errors else []
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(selected) // PAGE_SIZE))
    page = min(page, pages)
    shown = selected[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    args = {k: v for k, v in request.args.items() if k in ("f", "drafts") and v}
    return render_template("journal/list.html", items=shown, total=len(selected), page=page, pages=pages,
                           f=f, args=args, typed=state, procs=procs, tags=index.tags, themes=themes.THEMES,
                           kinds=KINDS), 400 if f.errors else 200


@bp.app_template_global("entries_url")
def _entries_url(**values) -> str:
    return search_state.entries_url(**values)


@bp.app_template_filter("tag_ref")
def tag_ref(tag: str) -> str:
    """A tag as it may appear in a URL: a keyed hash under the viewer's user key, never the tag
    itself. Tags are journal content (encrypted at rest); URLs end up in access logs and history."""
    if "tag_ref_key" not in g:
        g.tag_ref_key = keyring.hkdf(guards.user_key(), "tag-ref")
    key = g.tag_ref_key
    return hmac.new(key, tag.casefold().encode(), hashlib.sha256).hexdigest()[:24]


@bp.route("/themes")
def themes_page():
    return render_template("journal/themes.html", themes=themes.THEMES)


@bp.app_template_filter("vocab_label")
def _vocab_label(choice_id: str, vocab) -> str:
    return themes.choice_label(vocab, choice_id)


@bp.app_template_filter("theme_name")
def _theme_name(theme_id: str) -> str:
    return themes.theme(theme_id).name if theme_id in themes.THEME_IDS else theme_id


@bp.app_template_filter("subtheme_name")
def _subtheme_name(subtheme_id: str) -> str:
    return themes.subtheme(subtheme_id).name if subtheme_id in themes.SUBTHEME_IDS else subtheme_id

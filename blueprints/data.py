"""Data ownership: export (JSON, Markdown zip, PDF of chosen entries), import, delete account."""
from __future__ import annotations

import json
import zlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from blueprints import guards, i18n, pending, throttle
from blueprints.forms import WRONG_CODE, WRONG_PASSWORD, EmptyForm, Form, PasswordCheckForm
from blueprints.journal_forms import MultiCheckboxField
from domain.accounts import attempts, twofactor
from domain.core import keyring
from domain.core.db import db, utcnow
from domain.data import entry_pdf, erasure, importing, portability
from domain.data.wording import Reader
from domain.journal import entries as journal
from domain.sharing import contacts

bp = Blueprint("data", __name__, url_prefix="/settings/data")

IMPORT_MAX = 25 * 1024 * 1024  # an export of thousands of entries is several MB
# What the delete form asks to be typed; the English words are accepted in every language.
DELETE_PHRASE = _l("delete my journal")


class ImportForm(Form):
    file = FileField(_l("Fokus export file (.json)"))


class ConfirmImportForm(Form):
    payload = StringField()


class DeleteForm(PasswordCheckForm):
    code = StringField(_l("Two-factor code (if you use it)"), validators=[Length(max=40)])
    confirm = StringField(_l("Type “%(phrase)s” to confirm", phrase=DELETE_PHRASE),
                          validators=[DataRequired(_l("Please type it."))])
    understood = BooleanField(_l("I understand that nothing can be recovered afterwards."),
                              validators=[DataRequired(_l("Please confirm."))])


def _names() -> dict[str, str]:
    return {c.other_id: c.name for c in contacts.contacts_of(current_user.user, guards.user_key())}


def _stamp() -> str:
    return utcnow().strftime("%Y-%m-%d")


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _reader() -> Reader:
    """Exports speak the request's language; dates in words, times in the reader's time zone."""
    return Reader(say=_, day=i18n.day, when=i18n.FILTERS["exact_when"])


def _items() -> list:
    return [i for i in journal.all_items(current_user.id, guards.user_key()) if not i.is_draft]


def _page(items: list, import_form=None, pdf_form=None):
    return render_template("data/index.html", form=EmptyForm(), import_form=import_form if import_form is not None else ImportForm(),
                           pdf_form=pdf_form if pdf_form is not None else _pdf_form(items), items=items)


@bp.route("/")
@guards.login_required
def index():
    return _page(_items())


def _pdf_form(items, formdata=None):
    class PdfForm(Form):
        entries = MultiCheckboxField(_l("Entries"), choices={i.row.id: f"{i18n.short_day(i.day)} · {i.headline}"
                                                               for i in items})
    return PdfForm(formdata=formdata) if formdata is not None else PdfForm()


def _export() -> dict:
    if not EmptyForm().validate_on_submit():
        abort(400)
    return portability.export(current_user.user, guards.user_key(), _names())


@bp.route("/export.json", methods=["POST"])
@guards.fresh_login_required
def export_json():
    dump = _export()
    return _download(json.dumps(dump, ensure_ascii=False, indent=1).encode(), "application/json",
                     f"fokus-export-{_stamp()}.json")


@bp.route("/export.zip", methods=["POST"])
@guards.fresh_login_required
def export_zip():
    dump = _export()
    return _download(portability.markdown_zip(dump, _reader()), "application/zip", f"fokus-markdown-{_stamp()}.zip")


@bp.route("/export.pdf", methods=["POST"])
@guards.fresh_login_required
def export_pdf():
    items = _items()
    form = _pdf_form(items, request.form)
    if not form.validate_on_submit() or not form.entries.data:
        form.entries.errors = list(form.entries.errors) or [_("Choose at least one entry.")]
        return _page(items, pdf_form=form), 400
    chosen = set(form.entries.data)
    body = entry_pdf.render([(i.data, i.row.created_at.isoformat()) for i in items if i.row.id in chosen], _reader())
    return _download(body, "application/pdf", f"fokus-entries-{_stamp()}.pdf")


@bp.route("/import", methods=["POST"])
@guards.fresh_login_required
def import_preview():
    request.max_content_length = IMPORT_MAX
    form = ImportForm()
    items = _items()
    if not form.validate_on_submit() or not form.file.data:
        form.file.errors = list(form.file.errors) or [_("Choose the .json file from a Fokus export.")]
        return _page(items, import_form=form), 400
    raw = form.file.data.read(IMPORT_MAX + 1)
    try:
        dump = importing.parse(raw)
        plan = importing.plan(current_user.user, guards.user_key(), dump)
    except importing.ImportError_ as exc:
        form.file.errors = [i18n.say(exc)]
        return _page(items, import_form=form), 400
    # The preview carries the file to the confirm step sealed (blueprints/pending.py): the server
    # keeps nothing between the two requests.
    confirm = ConfirmImportForm(data={"payload": pending.seal("import-preview", zlib.compress(raw))})
    return render_template("data/import_preview.html", plan=plan, confirm=confirm)


@bp.route("/import/confirm", methods=["POST"])
@guards.fresh_login_required
def import_confirm():
    request.max_content_length = IMPORT_MAX * 2
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        raw = zlib.decompress(pending.unseal("import-preview", form.payload.data or ""))
        dump = importing.parse(raw)
        plan = importing.plan(current_user.user, guards.user_key(), dump)
        added = importing.apply(current_user.user, guards.user_key(), plan, dump)
    except (keyring.CryptoError, zlib.error):
        abort(400)
    except importing.ImportError_ as exc:
        db.session.rollback()
        flash(i18n.say(exc), "error")
        return redirect(url_for("data.index")), 303
    db.session.commit()
    flash(" ".join((ngettext("Imported %(num)d entry.", "Imported %(num)d entries.", added),
                    ngettext("%(num)d process added.", "%(num)d processes added.", len(plan.processes)),
                    ngettext("%(num)d duplicate was skipped.", "%(num)d duplicates were skipped.",
                             len(plan.duplicates)))), "ok")
    return redirect(url_for("journal.index"))


@bp.route("/delete", methods=["GET", "POST"])
@guards.fresh_login_required
def delete_account():
    form = DeleteForm()
    user = current_user.user
    if form.validate_on_submit():
        who = throttle.who_for_user(user)
        key = throttle.password_key(user, form.password.data, who)
        if key is None:
            form.password.errors = [str(WRONG_PASSWORD)]
        elif user.totp_enabled and not throttle.guarded(who, "second-factor",
                                                        lambda: twofactor.verify(user, key, form.code.data or "")):
            form.code.errors = [str(WRONG_CODE)]
        elif form.confirm.data.strip().casefold() not in ("delete my journal", str(DELETE_PHRASE).casefold()):
            form.confirm.errors = [_("Please type exactly: %(phrase)s", phrase=DELETE_PHRASE)]
        else:
            user_id = user.id
            attempts.forget_account(who.account)
            erasure.shred(user, key, guards.server_secret())
            db.session.commit()  # keys are gone before any row is
            guards.end_session()
            erasure.delete_rows(user_id)
            db.session.commit()
            erasure.compact_sqlite()
            db.session.commit()
            flash(_("Your account and your journal are deleted. Thank you for the work you do."), "ok")
            return redirect(url_for("home.index"))
    return render_template("data/delete.html", form=form, has_2fa=user.totp_enabled), \
        400 if form.is_submitted() else 200

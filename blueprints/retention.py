"""Retention (issue 20.1): the period in settings, a date per entry or process, the one extension,
the home notice's data, expiry at login, and `flask fokus expire` for cron or a systemd timer."""
from __future__ import annotations

import click
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in
from wtforms import DateField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints import access, guards, local_time
from blueprints.cli import fokus
from blueprints.forms import Form
from blueprints.i18n import say
from domain.core.db import db, utcnow
from domain.core.refusal import Refusal
from domain.data import erasure, retention
from domain.ops import audit
from domain.retention import expiry, shred

bp = Blueprint("retention", __name__)


class PeriodForm(Form):
    months = RadioField(_l("Delete my notes"), choices={str(m): str(m) for m in expiry.PERIODS},
                        validators=[DataRequired()])


class DateForm(Form):
    until = DateField(_l("Delete on"), validators=[DataRequired(message=_l("Choose a date."))])


class ExtendForm(Form):
    reason = TextAreaField(_l("Why keep it longer?"),
                           validators=[DataRequired(message=_l("Write a short reason for keeping it longer.")),
                                       Length(max=retention.REASON_MAX)])


def _today():
    return utcnow().date()


@bp.route("/settings/retention", methods=["GET", "POST"])
@guards.login_required
def settings():
    form = PeriodForm()
    if not form.is_submitted():
        form.months.data = str(expiry.months_of(current_user.id))
    if form.validate_on_submit():
        try:
            retention.set_period(current_user.user, guards.user_key(), int(form.months.data))
        except Refusal as err:
            form.months.errors = [say(err)]
        else:
            db.session.commit()
            flash(_("Saved. Every date now follows the new period."))
            return redirect(url_for("retention.settings"))
    return render_template("retention/settings.html", form=form), 400 if form.errors else 200


@bp.route("/retention")
@guards.login_required
def soon():
    """Everything deleted within two weeks, the same block home shows (templates/home/_expiring.html)."""
    return render_template("retention/soon.html")


def _owned(table: str, obj_id: str):
    return access.owned_or_404(lambda owner, i: retention.owned_row(owner, table, i), obj_id)


def change_url(table: str, obj_id: str, extend: bool = False) -> str:
    if table == "entries":
        return url_for("retention.entry_extend" if extend else "retention.entry_expiry", entry_id=obj_id)
    return url_for("retention.process_extend" if extend else "retention.process_expiry", process_id=obj_id)


@bp.route("/entries/<entry_id>/expiry", methods=["GET", "POST"])
@guards.login_required
def entry_expiry(entry_id: str):
    """'Change deletion date' for one entry."""
    return _change("entries", entry_id)


@bp.route("/processes/<process_id>/expiry", methods=["GET", "POST"])
@guards.login_required
def process_expiry(process_id: str):
    return _change("processes", process_id)


@bp.route("/entries/<entry_id>/expiry/extend", methods=["POST"])
@guards.login_required
def entry_extend(entry_id: str):
    return _extend("entries", entry_id)


@bp.route("/processes/<process_id>/expiry/extend", methods=["POST"])
@guards.login_required
def process_extend(process_id: str):
    return _extend("processes", process_id)


def _change(table: str, obj_id: str):
    row = _owned(table, obj_id)
    form = DateForm()
    if form.validate_on_submit():
        try:
            retention.choose_date(current_user.user, guards.user_key(), table, row, form.until.data, _today())
        except Refusal as err:
            form.until.errors = [say(err)]
        else:
            db.session.commit()
            flash(_("The deletion date is changed."))
            return redirect(change_url(table, obj_id))
    return _page(table, row, form, ExtendForm(formdata=None))


def _extend(table: str, obj_id: str):
    row = _owned(table, obj_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            retention.extend(current_user.user, guards.user_key(), table, row, form.reason.data, _today())
        except Refusal as err:
            form.reason.errors = [say(err)]
        else:
            db.session.commit()
            flash(_("Kept longer: it will now be deleted on the new date."))
            return redirect(change_url(table, obj_id))
    return _page(table, row, DateForm(formdata=None), form)


def _page(table: str, row, date_form, extend_form):
    mark = expiry.mark_of(row.id)
    status = 400 if (date_form.errors or extend_form.errors) else 200
    reason = retention.reason_of(current_user.id, guards.user_key(), row.id)
    return render_template("retention/change.html", table=table, row=row, mark=mark, reason=reason,
                           date_form=date_form, extend_form=extend_form), status


def expiring_soon(limit: int | None = None) -> tuple[list, int]:
    """The home notice's data (templates/home/_expiring.html reads `expiring_soon()`): at most
    `limit` things deleted soon, and how many there are in all."""
    if not current_user.is_authenticated:
        return [], 0
    row = g.get("session_row")
    return retention.expiring(current_user.user, guards.user_key(), _today(), row.id if row is not None else None,
                              limit)


class _Dates:
    """Entry and process id -> deletion date for the acting user (the card partial
    templates/retention/_expires.html reads it). The ids a page shows are named up front
    (`shown`), so their dates come in one query, not one per card and not the whole journal."""

    def __init__(self):
        self.known: dict = {}
        self.wanted: set[str] = set()

    def get(self, obj_id: str):
        if obj_id not in self.known:
            ids = (self.wanted | {obj_id}) - self.known.keys()
            self.known.update(retention.dates_of(current_user.id, ids) if current_user.is_authenticated
                              else dict.fromkeys(ids))
        return self.known[obj_id]


def expiry_dates() -> _Dates:
    if "retention_dates" not in g:
        g.retention_dates = _Dates()
    return g.retention_dates


def expiry_text(table: str, on) -> str:
    """"Deleted 30 November 2026", or when nothing is set: deleted after its process ends."""
    if on:
        return _("Deleted %(day)s", day=local_time.day(on))
    return _("Deleted after the process ends") if table == "entries" else _("Deleted after it ends")


def shown(ids) -> None:
    """The entries or processes this page will show with their deletion dates."""
    expiry_dates().wanted.update(ids)


def card_dates(ids) -> tuple:
    """The deletion dates of what a page will show, read now in one query, as (id, date) pairs:
    an input of the rendered page (blueprints/page_memo.py)."""
    shown(ids)
    dates = expiry_dates()
    return tuple((obj_id, dates.get(obj_id)) for obj_id in sorted(dates.wanted))


@bp.record_once
def _template_globals(state) -> None:
    # Globals, not a context processor: imported macros (entry_card) see them too.
    state.app.add_template_global(expiring_soon, "expiring_soon")
    state.app.add_template_global(expiry_dates, "expiry_dates")
    state.app.add_template_global(change_url, "expiry_url")
    state.app.add_template_global(expiry_text, "expiry_text")


def _on_login(_app, user=None, **_extra) -> None:
    # Every way in (password, second factor, passkey) ends in login_user, with the key on g.
    key = g.get("user_key")
    if user is not None and key is not None and retention.on_login(user.user, key, _today()):
        audit.record("expiry_run", user_id=user.user.id, address=request.remote_addr, outcome="ok",
                     detail="at login")


bp.record_once(lambda state: user_logged_in.connect(_on_login, state.app))


@fokus.command("expire")
def expire() -> None:
    """Crypto-shred every entry and process whose date has come (run daily: README, "Retention")."""
    today = _today()
    items = shred.due(today)
    shred.overwrite(items)
    db.session.commit()   # the keys are gone for good before any row is deleted
    shred.delete_rows(items, today, facts_removed=False)
    entries_n = sum(d.table == "entries" for d in items)
    audit.record("expiry_run", user_id=None, address=None, outcome="ok",
                 detail=f"entries={entries_n} processes={len(items) - entries_n}")
    db.session.commit()
    erasure.compact_sqlite()   # no old page images of the deleted rows left in SQLite's WAL
    click.echo(f"Expired: {sum(d.table == 'entries' for d in items)} entries, "
               f"{sum(d.table == 'processes' for d in items)} processes.")

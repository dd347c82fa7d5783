"""Settings: password, recovery code, sessions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from blueprints import guards, pending, throttle
from blueprints.forms import WRONG_PASSWORD, EmptyForm, PasswordChangeForm, PasswordCheckForm
from blueprints.i18n import say
from domain.accounts import account as accounts
from domain.accounts import credentials, sessions
from domain.accounts.account import AccountError
from domain.accounts.credentials import WeakPassword
from domain.core.db import db

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.route("/")
@guards.login_required
def index():
    profile = accounts.read_profile(current_user.user, guards.user_key())
    return render_template("settings/index.html", profile=profile)


@bp.route("/password", methods=["GET", "POST"])
@guards.login_required
def password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        who = throttle.who_for_user(current_user.user)
        try:
            credentials.change_password(guards.kdf_policy(), current_user.user, guards.user_key(), form.current.data,
                                        form.password.data, lambda attempt: throttle.guarded(who, "password", attempt))
        except WeakPassword as exc:
            form.password.errors = [say(p) for p in exc.problems]
        except AccountError as exc:
            form.current.errors = [say(exc)]
        else:
            ended = sessions.end_all(current_user.id, keep=guards.session_row().id)
            sessions.mark_fresh(guards.session_row())
            db.session.commit()
            flash(ngettext("Your password is changed. %(num)d other session was logged out.",
                           "Your password is changed. %(num)d other sessions were logged out.", ended)
                  if ended else _("Your password is changed."), "ok")
            return redirect(url_for("settings.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("settings/password.html", form=form), status


@bp.route("/recovery-code", methods=["GET", "POST"])
@guards.login_required
def recovery_code():
    """Make a new recovery code (the old one stops working); needs the password."""
    form = PasswordCheckForm()
    if form.validate_on_submit():
        if throttle.password_key(current_user.user, form.password.data):
            code = accounts.new_recovery_code(current_user.user, guards.user_key())
            current_user.user.recovery_confirmed_at = None
            db.session.commit()
            pending.hold_recovery_code(code)
            return redirect(url_for("auth.recovery_code"))
        form.password.errors = [str(WRONG_PASSWORD)]
    status = 400 if form.is_submitted() else 200
    return render_template("settings/new_code.html", form=form), status


@bp.route("/sessions")
@guards.login_required
def sessions_page():
    rows = sessions.list_for(current_user.id)
    return render_template("settings/sessions.html", rows=rows, current=guards.session_row().id,
                           form=EmptyForm(), device_name=device_name)


def device_name(summary: str | None) -> str:
    """The stored label ("Firefox on Android", domain/accounts/sessions.py) in the reader's language."""
    if not summary:
        return _("Unknown device")
    browser, _on, system = summary.partition(" on ")
    if not system:
        return summary
    words = {"Browser": _("Browser"), "unknown system": _("unknown system")}
    return _("%(browser)s on %(system)s", browser=words.get(browser, browser), system=words.get(system, system))


@bp.route("/sessions/<row_id>/end", methods=["POST"])
@guards.login_required
def end_session(row_id: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    row = next((r for r in sessions.list_for(current_user.id) if r.id == row_id), None)
    if row is None:
        abort(404)
    if row.id == guards.session_row().id:
        guards.end_session()
        db.session.commit()
        return redirect(url_for("auth.login"))
    sessions.end(row.id)
    db.session.commit()
    flash(_("That session is logged out."), "ok")
    return redirect(url_for("settings.sessions_page"))


@bp.route("/sessions/end-others", methods=["POST"])
@guards.login_required
def end_others():
    if not EmptyForm().validate_on_submit():
        abort(400)
    n = sessions.end_all(current_user.id, keep=guards.session_row().id)
    db.session.commit()
    flash(ngettext("%(num)d other session logged out.", "%(num)d other sessions logged out.", n), "ok")
    return redirect(url_for("settings.sessions_page"))

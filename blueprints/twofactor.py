"""Settings for two-factor login: set up with a QR code (or the key typed by hand), confirm with a
first code, backup codes shown once, switch off with password and a code."""
from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints import guards, pending, throttle
from blueprints.forms import WRONG_CODE, WRONG_PASSWORD, EmptyForm, PasswordCheckForm, SecondFactorForm
from blueprints.limits import limiter
from domain.accounts import account as accounts
from domain.accounts import twofactor
from domain.core.db import db

bp = Blueprint("twofactor", __name__, url_prefix="/settings/two-factor")


PENDING = "pending_totp"  # the secret being set up, until a first code confirms it


@bp.route("/")
@guards.login_required
def index():
    return _page(DisableForm())


def _page(disable_form):
    user = current_user.user
    return render_template("settings/two_factor.html", user=user, left=twofactor.backup_codes_left(user),
                           legacy=twofactor.backup_codes_legacy(user), form=EmptyForm(), disable_form=disable_form)


class DisableForm(PasswordCheckForm):
    code = SecondFactorForm.code


@bp.route("/setup", methods=["GET", "POST"])
@guards.fresh_login_required
def setup():
    secret = pending.peek(PENDING, "pending-totp")
    if secret is None:
        secret = twofactor.new_secret()
        pending.put(PENDING, "pending-totp", secret)
    form = SecondFactorForm()
    if form.validate_on_submit():
        if twofactor.check_new(secret, form.code.data):
            codes = twofactor.enable(current_user.user, guards.user_key(), secret)
            pending.drop(PENDING)
            db.session.commit()
            return render_template("settings/backup_codes.html", codes=codes)
        form.code.errors = [_("That code is not right. Check the time on your phone and try the newest code.")]
    label = accounts.read_profile(current_user.user, guards.user_key()).get("display_name", _("Fokus user"))
    uri = twofactor.provisioning_uri(secret, label)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#1c2321", light="#ffffff")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("settings/two_factor_setup.html", form=form, qr=qr, key=grouped), \
        400 if form.is_submitted() else 200


@bp.route("/disable", methods=["POST"])
@guards.fresh_login_required
@limiter.limit("10 per hour")
def disable():
    form = DisableForm()
    user = current_user.user
    if form.validate_on_submit():
        who = throttle.who_for_user(user)
        if throttle.password_key(user, form.password.data, who) is None:
            form.password.errors = [str(WRONG_PASSWORD)]
        elif not throttle.guarded(who, "second-factor", lambda: twofactor.verify(user, guards.user_key(), form.code.data)):
            form.code.errors = [str(WRONG_CODE)]
        else:
            twofactor.disable(user)
            db.session.commit()
            flash(_("Two-factor login is off."), "ok")
            return redirect(url_for("twofactor.index"))
        db.session.commit()
    return _page(form), 400


@bp.route("/backup-codes", methods=["POST"])
@guards.fresh_login_required
def backup_codes():
    if not EmptyForm().validate_on_submit() or not current_user.user.totp_enabled:
        return redirect(url_for("twofactor.index"))
    codes = twofactor.new_backup_codes(current_user.user)
    db.session.commit()
    return render_template("settings/backup_codes.html", codes=codes)

"""Passkeys: manage them in settings, log in with them. The browser side is static/passkeys.js,
which fetches options as JSON and posts the answer (and any PRF output) back with a CSRF token."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

from blueprints import auth, guards, pending, throttle
from blueprints.forms import WRONG_PASSWORD, EmptyForm, Form, PasswordCheckForm, at_most
from blueprints.i18n import say
from blueprints.limits import limiter
from domain.accounts import account as accounts
from domain.accounts import passkeys, sessions
from domain.core import keyring
from domain.core.db import db
from domain.core.models import User, UserSession

# A flood guard per passkey (a passkey answer is not a guessable secret, so this is not the password
# policy of blueprints/throttle.py; that one covers the password step after a passkey).
PASSKEY_LIMIT = "5 per minute; 20 per hour; 60 per day"

bp = Blueprint("passkeys", __name__)

PENDING_TTL = 300
_CHECK_FAILED = _l("That passkey could not be checked. Please try again.")
_EXPIRED = _l("This page expired. Please reload it and try again.")


class StartForm(Form):
    known = StringField(validators=[Optional(), Length(max=4000)])


class AddForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Please give the passkey a name.")),
                                               Length(max=60, message=at_most(60))])
    credential = HiddenField(validators=[DataRequired(), Length(max=20000)])
    prf = HiddenField(validators=[Optional(), Length(max=100)])


class AnswerForm(Form):
    credential = HiddenField(validators=[DataRequired(), Length(max=20000)])
    prf = HiddenField(validators=[Optional(), Length(max=100)])
    retried = HiddenField(validators=[Optional(), Length(max=1)])
    # The page the login page was asked for (?next=), so a passkey login lands where a password
    # login would; checked by pending.safe_next like every other return address.
    next = HiddenField(validators=[Optional(), Length(max=2000)])


def _rp() -> tuple[str, str]:
    """(relying party id, origin): configured, or in development the host the browser used."""
    origin = current_app.config.get("WEBAUTHN_ORIGIN") or request.host_url.rstrip("/")
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or (urlsplit(origin).hostname or "localhost")
    return rp_id, origin


def _prf(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        out = keyring.b64d(text)
    except keyring.CryptoError:
        return None
    return out if len(out) == keyring.PRF_LEN else None


def _refuse(message, status: int = 400):
    return jsonify(error=str(message)), status


# --- settings ------------------------------------------------------------------------------------

@bp.route("/settings/passkeys")
@guards.fresh_login_required
def index():
    uk = guards.user_key()
    rows = [(p, passkeys.name_of(p, uk)) for p in passkeys.for_user(current_user.id)]
    return render_template("passkeys/index.html", rows=rows, form=AddForm(formdata=None))


@bp.route("/settings/passkeys/options", methods=["POST"])
@guards.fresh_login_required
@limiter.limit(auth.AUTH_LIMIT)
def register_options():
    if not StartForm().validate_on_submit():
        return _refuse(_EXPIRED)
    label = accounts.read_profile(current_user.user, guards.user_key()).get("display_name") or "Fokus"
    try:
        row_id, options = passkeys.registration_options(current_user.user, label, _rp()[0])
    except passkeys.PasskeyError as exc:
        return _refuse(say(exc), 409)
    session["pk_register"] = row_id
    db.session.commit()
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/settings/passkeys/add", methods=["POST"])
@guards.fresh_login_required
@limiter.limit(auth.AUTH_LIMIT)
def add():
    form = AddForm()
    if not form.validate_on_submit():
        return _refuse(" ".join(map(str, form.name.errors)) or _EXPIRED)
    rp_id, origin = _rp()
    try:
        challenge = passkeys.take_challenge(session.pop("pk_register", None), "register")
        passkey = passkeys.register(current_user.user, guards.user_key(), challenge, form.credential.data,
                                    rp_id, origin, form.name.data.strip(), _prf(form.prf.data))
    except passkeys.PasskeyError as exc:
        db.session.commit()
        return _refuse(say(exc))
    db.session.commit()
    if passkey.uk_by_prf is not None:
        flash(_("Passkey added. It opens your journal on its own."), "ok")
    else:
        flash(_("Passkey added. This device cannot unlock your journal with it, so you will type your "
                "password after it."), "ok")
    return jsonify(redirect=url_for("passkeys.index"), id=keyring.b64e(passkey.credential_id))


@bp.route("/settings/passkeys/<passkey_id>/remove", methods=["POST"])
@guards.fresh_login_required
def remove(passkey_id: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not passkeys.remove(current_user.user, passkey_id):
        abort(404)
    db.session.commit()
    flash(_("Passkey removed. It can no longer log in or unlock your journal."), "ok")
    return redirect(url_for("passkeys.index"))


# --- login ---------------------------------------------------------------------------------------

@bp.route("/login/passkey/options", methods=["POST"])
@limiter.limit(auth.AUTH_LIMIT)
def login_options():
    form = StartForm()
    if not form.validate_on_submit():
        return _refuse(_EXPIRED)
    known = [k for k in (form.known.data or "").split(",") if k]
    row_id, options = passkeys.login_options(_rp()[0], known)
    session["pk_login"] = row_id
    db.session.commit()
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/login/passkey", methods=["POST"])
@limiter.limit(auth.AUTH_LIMIT)
@limiter.limit(PASSKEY_LIMIT, key_func=lambda: "pk:" + request.form.get("credential", "")[:60])
def login():
    form = AnswerForm()
    if not form.validate_on_submit():
        return _refuse(_CHECK_FAILED)
    rp_id, origin = _rp()
    try:
        challenge = passkeys.take_challenge(session.pop("pk_login", None), "login")
        result = passkeys.authenticate(challenge, form.credential.data, rp_id, origin, _prf(form.prf.data))
    except passkeys.PasskeyError as exc:
        db.session.commit()
        return _refuse(say(exc))
    db.session.commit()
    if result.needs_prf and not form.retried.data:
        # A passkey that can unlock, chosen from the device's list: ask once more, naming it.
        return jsonify(retry=keyring.b64e(result.passkey.credential_id))
    next_url = form.next.data or None
    if result.user_key is None:
        session["passkey_pending"] = {"uid": result.user.id, "until": int(time.time()) + PENDING_TTL,
                                      "next": next_url or ""}
        return jsonify(redirect=url_for("passkeys.password"))
    if result.user.totp_enabled and not result.user_verified:
        # Without the phone's lock a passkey is only "something you have": the code still counts.
        pending.hold_second_factor(result.user, result.user_key, next_url, None)
        db.session.commit()   # the code step's row must outlive this request
        return jsonify(redirect=url_for("auth.second_factor"))
    _open_session(result.user, result.user_key, fresh=result.user_verified)
    return jsonify(redirect=_after_login(result.user, result.user_key, next_url))


def _pending_user() -> User | None:
    p = session.get("passkey_pending") or {}
    if time.time() > p.get("until", 0):
        session.pop("passkey_pending", None)
        return None
    return db.session.get(User, p.get("uid"))


@bp.route("/login/passkey/password", methods=["GET", "POST"])
@limiter.limit(auth.AUTH_LIMIT, methods=["POST"])
@limiter.limit(PASSKEY_LIMIT, methods=["POST"],
               key_func=lambda: "pkpw:" + str((session.get("passkey_pending") or {}).get("uid", ""))[:40])
def password():
    """After a passkey that cannot unlock: the password opens the user key (two factors together)."""
    user = _pending_user()
    if user is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = PasswordCheckForm()
    if form.validate_on_submit():
        # The same policy as every other password check (per account and address, growing delay).
        user_key = throttle.password_key(user, form.password.data)
        if user_key is not None:
            next_url = (session.pop("passkey_pending", None) or {}).get("next") or None
            _open_session(user, user_key, fresh=True)
            return redirect(_after_login(user, user_key, next_url))
        db.session.commit()
        form.password.errors = [str(WRONG_PASSWORD)]
    return render_template("passkeys/password.html", form=form), 400 if form.is_submitted() else 200


def _open_session(user: User, user_key: bytes, fresh: bool) -> None:
    guards.begin_session(user, user_key)
    if not fresh:
        db.session.flush()
        row = db.session.get(UserSession, sessions._row_id(current_user.get_id()))
        if row is not None:
            passkeys.stale_for_sensitive_actions(row)
    db.session.commit()


def _after_login(user: User, user_key: bytes, next_url: str | None = None) -> str:
    if user.recovery_confirmed_at is None:
        pending.hold_recovery_code(accounts.new_recovery_code(user, user_key))
        db.session.commit()
        return url_for("auth.recovery_code")   # as after a password login: the code comes first
    return pending.back_to(next_url)

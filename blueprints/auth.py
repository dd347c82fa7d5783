"""Sign-up, recovery code, login, logout, forgot password, and password re-entry."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from blueprints import forms, guards, pending, throttle
from blueprints.i18n import say
from blueprints.limits import limiter
from domain.accounts import account as accounts
from domain.accounts import credentials, login_steps, sessions, twofactor
from domain.accounts.account import AccountError
from domain.accounts.credentials import WeakPassword
from domain.core import keyring, observability
from domain.core.db import db, utcnow

bp = Blueprint("auth", __name__)

# Per address, whatever the account (a flood guard). Wrong passwords and codes are counted per
# account, address and device by one policy for every form (blueprints/throttle.py).
AUTH_LIMIT = "10 per minute; 60 per hour"


def _page_for(path: str) -> str:
    """A page to return to after /confirm. Sensitive actions are POST-only buttons (revoke, export,
    ...), so when `path` cannot be opened with GET, walk up its segments to the page that holds the
    button (/shares/<id>/revoke -> /shares/<id>, /settings/data/export.json -> /settings/data)."""
    adapter = current_app.url_map.bind("localhost")
    candidate = path.split("?", 1)[0]
    while candidate and candidate != "/":
        try:
            adapter.match(candidate, method="GET")
            return candidate if candidate != path.split("?", 1)[0] else path
        except RequestRedirect as redirect_exc:
            return redirect_exc.new_url.split("localhost", 1)[-1]
        except HTTPException:
            candidate = candidate.rsplit("/", 1)[0]
    return url_for("home.index")


def _form_page(template: str, form, **context):
    """The form again: 400 after a refused submit, 200 when first shown."""
    return render_template(template, form=form, **context), 400 if form.is_submitted() else 200


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = forms.SignupForm()
    if not form.validate_on_submit():
        return _form_page("auth/signup.html", form)
    try:
        user, user_key, code = credentials.sign_up(guards.kdf_policy(), guards.server_secret(), form.login.data,
                                                   form.display_name.data, form.password.data)
    except AccountError as exc:  # a weak password, or the login name is taken
        if isinstance(exc, WeakPassword):
            form.password.errors = [say(p) for p in exc.problems]
        else:
            form.login.errors = [say(exc)]
        return _form_page("auth/signup.html", form)
    db.session.flush()
    guards.begin_session(user, user_key)
    db.session.commit()
    pending.hold_recovery_code(code)
    return redirect(url_for("auth.recovery_code"))


@bp.route("/recovery-code", methods=["GET", "POST"])
@guards.login_required
def recovery_code():
    code = pending.held_recovery_code()
    if code is None:
        return redirect(url_for("home.index"))
    form = forms.ConfirmCodeForm()
    if form.validate_on_submit():
        typed = keyring.normalize_group(form.last_group.data)
        if typed == code.split("-")[-1]:
            pending.drop(pending.RECOVERY_CODE)
            current_user.user.recovery_confirmed_at = utcnow()
            db.session.commit()
            flash(_("Your recovery code is saved. Keep it somewhere safe, away from this phone."), "ok")
            return redirect(pending.back_to())
        form.last_group.errors = [_("That does not match the last group of your code. Look again.")]
    return _form_page("auth/recovery_code.html", form, code=code, groups=code.split("-"))


@bp.route("/recovery-code.txt")
@guards.login_required
def recovery_code_download():
    code = pending.held_recovery_code()
    if code is None:
        abort(404)
    body = render_template("auth/recovery_code.txt", code=code)
    return Response(body, mimetype="text/plain", headers={
        "Content-Disposition": 'attachment; filename="fokus-recovery-code.txt"'})


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(pending.safe_next(request.args.get("next")))
    form = forms.LoginForm()
    if not form.validate_on_submit():
        return _form_page("auth/login.html", form)
    who = throttle.who_for_login(form.login.data)
    found = throttle.guarded(who, "login", lambda: accounts.authenticate(
        guards.kdf_policy(), guards.server_secret(), form.login.data, form.password.data))
    observability.count_login(found is not None)
    if found is None:
        # Same words whether the account exists or not.
        form.password.errors = [_("Login name or password is not right.")]
        return _form_page("auth/login.html", form)
    user, user_key = found
    db.session.commit()  # a KDF upgrade at login is kept even if the second factor is not given
    if user.totp_enabled:
        pending.hold_second_factor(user, user_key, request.args.get("next"), form.resume.data)
        db.session.commit()
        return redirect(url_for("auth.second_factor"))
    return _finish_login(who, user, user_key, request.args.get("next"), form.resume.data)


def _finish_login(who, user, user_key: bytes, next_url: str | None, resume_blob: str | None):
    guards.begin_session(user, user_key)
    throttle.trust_this_device(who)
    db.session.commit()
    if resume_blob and user.recovery_confirmed_at is not None:
        resumed = guards.resume(resume_blob)
        if resumed is not None:
            return resumed
    if user.recovery_confirmed_at is None:
        # They never confirmed saving the code shown at sign-up: give them a new one now.
        pending.hold_recovery_code(accounts.new_recovery_code(user, user_key))
        db.session.commit()
        return redirect(url_for("auth.recovery_code"))
    return redirect(pending.back_to(next_url))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def second_factor():
    """Step two of login when 2FA is on: a code from the authenticator app or a backup code."""
    open_step = pending.second_factor_step()
    if open_step is None:
        db.session.commit()  # an expired step row is deleted
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    step, user, user_key, next_url, resume_blob = open_step
    who = throttle.who_for_user(user)
    form = forms.SecondFactorForm()
    if form.validate_on_submit():
        if throttle.guarded(who, "second-factor", lambda: twofactor.verify(user, user_key, form.code.data)):
            guards.drop_second_factor()
            db.session.commit()
            return _finish_login(who, user, user_key, next_url, resume_blob)
        if login_steps.wrong_code(step):
            session.pop("second_factor", None)
            db.session.commit()
            flash(_("Too many wrong codes. Please log in again."), "info")
            return redirect(url_for("auth.login"))
        db.session.commit()
        form.code.errors = [_("That code is not right. Codes change every 30 seconds; a backup code works once.")]
    return _form_page("auth/second_factor.html", form)


@bp.route("/logout", methods=["POST"])
def logout():
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    guards.drop_second_factor()
    if current_user.is_authenticated:
        guards.end_session()
    db.session.commit()
    flash(_("You are logged out."), "ok")
    return redirect(url_for("auth.login"))


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def recover():
    form = forms.RecoverForm()
    if not form.validate_on_submit():
        return _form_page("auth/recover.html", form)
    who = throttle.who_for_login(form.login.data)
    try:
        found = credentials.recover(guards.kdf_policy(), guards.server_secret(), form.login.data,
                                    form.recovery_code.data, form.password.data,
                                    lambda attempt: throttle.guarded(who, "recovery-code", attempt))
    except WeakPassword as exc:
        form.password.errors = [say(p) for p in exc.problems]
        return _form_page("auth/recover.html", form)
    if found is None:
        form.recovery_code.errors = [_("Login name or recovery code is not right. Check the code "
                                       "letter by letter; dashes and spaces do not matter.")]
        return _form_page("auth/recover.html", form)
    user, user_key, new_code, had_2fa = found
    guards.begin_session(user, user_key)
    throttle.trust_this_device(who)
    db.session.commit()
    pending.hold_recovery_code(new_code)
    flash(_("Your new password is set and your journal is intact. Your old recovery code no longer "
            "works: here is your new one.") if not had_2fa else
          _("Your new password is set and your journal is intact. Your old recovery code no longer "
            "works: here is your new one. Two-factor login was switched off; turn it on again under "
            "Settings."), "ok")
    return redirect(url_for("auth.recovery_code"))


@bp.route("/confirm", methods=["GET", "POST"])
@guards.login_required
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def confirm():
    """Type the password again before a sensitive action."""
    form = forms.PasswordCheckForm()
    target = pending.safe_next(request.args.get("next"))
    if form.validate_on_submit():
        if throttle.password_key(current_user.user, form.password.data):
            sessions.mark_fresh(guards.session_row())
            db.session.commit()
            page = _page_for(target)
            if page != target:
                flash(_("Thank you. Please press the button again to continue."), "info")
            return redirect(page)
        form.password.errors = [str(forms.WRONG_PASSWORD)]
    return _form_page("auth/confirm.html", form)

"""Sign-up, recovery code, login, logout, forgot password, and password re-entry."""
from __future__ import annotations

from urllib.parse import urlsplit

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
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from blueprints import guards, throttle
from blueprints.forms import (
    ConfirmCodeForm,
    EmptyForm,
    LoginForm,
    PasswordCheckForm,
    RecoverForm,
    SecondFactorForm,
    SignupForm,
)
from blueprints.limits import limiter
from domain.accounts import account as accounts
from domain.accounts import login_steps, passwords, sessions, twofactor
from domain.accounts.account import AccountError
from domain.core import keyring
from domain.core.db import db, utcnow
from domain.ops import observability

bp = Blueprint("auth", __name__)

# Per address, whatever the account (a flood guard). Wrong passwords and codes are counted per
# account, address and device by one policy for every form (blueprints/throttle.py).
AUTH_LIMIT = "10 per minute; 60 per hour"


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: an open redirect after login is a phishing gift.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so "/<TAB>/evil"
    or "/<BACKSLASH>evil" would become "//evil": control characters and backslashes are refused."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")


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


def _pending_code_aad() -> bytes:
    return keyring.aad("pending-recovery", "owner", current_user.id, "session", guards.session_row().id)


def hold_code(code: str) -> None:
    """Keep a fresh recovery code until the user confirms saving it: sealed under a subkey of their
    user key, bound to this session, inside the session cookie, so the server stores nothing."""
    session["pending_rc"] = keyring.b64e(keyring.seal_for(guards.user_key(), "pending-recovery", code.encode(),
                                                          _pending_code_aad()))


def held_code() -> str | None:
    sealed = session.get("pending_rc")
    if not sealed:
        return None
    try:
        return keyring.open_for(guards.user_key(), "pending-recovery", keyring.b64d(sealed), _pending_code_aad(),
                                keyring.aad("pending-recovery", current_user.id)).decode()
    except keyring.CryptoError:
        session.pop("pending_rc", None)
        return None


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if not form.validate_on_submit():
        return render_template("auth/signup.html", form=form), 400 if form.is_submitted() else 200
    problems = passwords.problems(form.password.data, [form.login.data, form.display_name.data])
    if problems:
        form.password.errors = list(problems)
        return render_template("auth/signup.html", form=form), 400
    try:
        user, user_key, code = accounts.create_account(
            guards.kdf_policy(), guards.server_secret(), form.login.data, form.display_name.data.strip(),
            form.password.data)
    except AccountError as exc:
        form.login.errors = [str(exc)]
        return render_template("auth/signup.html", form=form), 400
    db.session.flush()
    guards.begin_session(user, user_key)
    db.session.commit()
    hold_code(code)
    return redirect(url_for("auth.recovery_code"))


@bp.route("/recovery-code", methods=["GET", "POST"])
@guards.login_required
def recovery_code():
    code = held_code()
    if code is None:
        return redirect(url_for("home.index"))
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        typed = keyring.normalize_group(form.last_group.data)
        if typed == code.split("-")[-1]:
            session.pop("pending_rc", None)
            current_user.user.recovery_confirmed_at = utcnow()
            db.session.commit()
            flash("Your recovery code is saved. Keep it somewhere safe, away from this phone.", "ok")
            return redirect(_safe_next(session.pop("return_to", None)))
        form.last_group.errors = ["That does not match the last group of your code. Look again."]
    status = 400 if form.is_submitted() else 200
    return render_template("auth/recovery_code.html", form=form, code=code,
                           groups=code.split("-")), status


@bp.route("/recovery-code.txt")
@guards.login_required
def recovery_code_download():
    code = held_code()
    if code is None:
        abort(404)
    body = ("Fokus recovery code\n\n"
            f"{code}\n\n"
            "With this code you can set a new password if you forget yours. Keep it somewhere safe\n"
            "and private (a password manager, or printed in a locked drawer). It works once;\n"
            "after using it you get a new one. Without password and code nobody can open your journal.\n")
    return Response(body, mimetype="text/plain", headers={
        "Content-Disposition": 'attachment; filename="fokus-recovery-code.txt"'})


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    who = throttle.who_for_login(form.login.data)
    found = throttle.guarded(who, "login", lambda: accounts.authenticate(
        guards.kdf_policy(), guards.server_secret(), form.login.data, form.password.data))
    observability.count_login(found is not None)
    if found is None:
        # Same words whether the account exists or not.
        form.password.errors = ["Login name or password is not right."]
        return render_template("auth/login.html", form=form), 400
    user, user_key = found
    db.session.commit()  # a KDF upgrade at login is kept even if the second factor is not given
    if user.totp_enabled:
        guards.hold_second_factor(user, user_key, request.args.get("next"), form.resume.data)
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
        hold_code(accounts.new_recovery_code(user, user_key))
        db.session.commit()
        return redirect(url_for("auth.recovery_code"))
    return redirect(_safe_next(next_url or session.pop("return_to", None)))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def second_factor():
    """Step two of login when 2FA is on: a code from the authenticator app or a backup code."""
    pending = guards.pending_second_factor()
    if pending is None:
        db.session.commit()  # an expired step row is deleted
        flash("Please log in again.", "info")
        return redirect(url_for("auth.login"))
    step, user, user_key, next_url, resume_blob = pending
    who = throttle.who_for_user(user)
    form = SecondFactorForm()
    if form.validate_on_submit():
        if throttle.guarded(who, "second-factor", lambda: twofactor.verify(user, user_key, form.code.data)):
            guards.drop_second_factor()
            db.session.commit()
            return _finish_login(who, user, user_key, next_url, resume_blob)
        if login_steps.wrong_code(step):
            session.pop("second_factor", None)
            db.session.commit()
            flash("Too many wrong codes. Please log in again.", "info")
            return redirect(url_for("auth.login"))
        db.session.commit()
        form.code.errors = ["That code is not right. Codes change every 30 seconds; a backup code works once."]
    return render_template("auth/second_factor.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/logout", methods=["POST"])
def logout():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    guards.drop_second_factor()
    if current_user.is_authenticated:
        guards.end_session()
    db.session.commit()
    flash("You are logged out.", "ok")
    return redirect(url_for("auth.login"))


@bp.route("/recover", methods=["GET", "POST"])
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def recover():
    form = RecoverForm()
    if not form.validate_on_submit():
        return render_template("auth/recover.html", form=form), 400 if form.is_submitted() else 200
    problems = passwords.problems(form.password.data, [form.login.data])
    if problems:
        form.password.errors = list(problems)
        return render_template("auth/recover.html", form=form), 400
    who = throttle.who_for_login(form.login.data)
    found = throttle.guarded(who, "recovery-code", lambda: accounts.recover(
        guards.kdf_policy(), guards.server_secret(), form.login.data, form.recovery_code.data,
        form.password.data))
    if found is None:
        form.recovery_code.errors = [("Login name or recovery code is not right. Check the code "
                                     "letter by letter; dashes and spaces do not matter.")]
        return render_template("auth/recover.html", form=form), 400
    user, user_key, new_code = found
    sessions.end_all(user.id)  # whoever knew the old password is logged out everywhere
    user.recovery_confirmed_at = None
    had_2fa = user.totp_enabled
    # The recovery code stands in for every factor (the phone with the authenticator may be what
    # was lost), so two-factor login is switched off and the page says so.
    twofactor.disable(user)
    guards.begin_session(user, user_key)
    throttle.trust_this_device(who)
    db.session.commit()
    hold_code(new_code)
    flash("Your new password is set and your journal is intact. Your old recovery code no longer "
          "works: here is your new one." + (" Two-factor login was switched off; turn it on again under "
                                            "Settings." if had_2fa else ""), "ok")
    return redirect(url_for("auth.recovery_code"))


@bp.route("/confirm", methods=["GET", "POST"])
@guards.login_required
@limiter.limit(AUTH_LIMIT, methods=["POST"])
def confirm():
    """Type the password again before a sensitive action."""
    form = PasswordCheckForm()
    target = _safe_next(request.args.get("next"))
    if form.validate_on_submit():
        if throttle.guarded(throttle.who_for_user(current_user.user), "password",
                            lambda: accounts.authenticate_user(guards.kdf_policy(), current_user.user,
                                                               form.password.data)):
            sessions.mark_fresh(guards.session_row())
            db.session.commit()
            page = _page_for(target)
            if page != target:
                flash("Thank you. Please press the button again to continue.", "info")
            return redirect(page)
        form.password.errors = ["That password is not right."]
    status = 400 if form.is_submitted() else 200
    return render_template("auth/confirm.html", form=form), status

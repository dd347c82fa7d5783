"""Who is asking: Flask-Login wiring, the sealed user key, and guard decorators for views."""
from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.datastructures import MultiDict

from domain.accounts import login_steps, sessions
from domain.accounts.account import KdfPolicy
from domain.core import keyring, server_keys
from domain.core.keyring import OWASP_FLOOR, CryptoError, KdfParams
from domain.core.models import User

login_manager = LoginManager()
csrf = CSRFProtect()


_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _ids_are_plain(endpoint, values) -> None:
    """Every id and token in our URLs is hex or URL-safe base64: anything else (a NUL byte, a
    100 kB string) is simply not found, before it reaches a database that might choke on it."""
    if endpoint == "static":
        return
    for value in (values or {}).values():
        if isinstance(value, str) and (len(value) > 100 or not set(value) <= _ID_CHARS):
            abort(404)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_ids_are_plain)
    # Every POST view validates a FlaskForm (which checks the token and can show a friendly message
    # on the form with the user's input kept), so the blanket check is off; CSRFProtect still
    # provides csrf_token() for small button forms. tests/security checks every POST route.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Please log in to continue.")
    login_manager.localize_callback = str  # flashed as text, in the reader's language
    login_manager.login_message_category = "info"
    # Our server-side session rows do the job of session protection (IP checks would log out
    # therapists whose phones move between mobile networks).
    login_manager.session_protection = None
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    floor = KdfParams(*app.config.get("ARGON2_FLOOR", OWASP_FLOOR))
    target = KdfParams(app.config["ARGON2_MEMORY_KIB"], app.config["ARGON2_TIME_COST"],
                       app.config["ARGON2_PARALLELISM"])
    app.extensions["fokus_kdf"] = KdfPolicy.make(target, floor, app.config["KDF_CONCURRENCY"])


def kdf_policy() -> KdfPolicy:
    return current_app.extensions["fokus_kdf"]


def server_secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def timeouts() -> sessions.Timeouts:
    return sessions.Timeouts(idle=timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"]),
                             absolute=timedelta(hours=current_app.config["ABSOLUTE_TIMEOUT_HOURS"]))


class Account(UserMixin):
    """What Flask-Login sees: the user row plus the cookie token that names the session."""

    def __init__(self, user: User, token: str):
        self.user = user
        self.id = user.id
        self._token = token

    def get_id(self) -> str:
        return self._token


def _load_user(token: str) -> Account | None:
    found = sessions.load_with_user(token, timeouts())
    if found is None:
        return None
    row, user = found
    g.session_row = row
    return Account(user, token)


def begin_session(user: User, user_key: bytes) -> None:
    """Log in: a fresh cookie (no fixation), a new session row, the user key sealed into it.
    A session this browser already had (logging in again over it, recovering while logged in)
    is ended first, so neither its row nor any copy of its cookie stays valid."""
    if current_user.is_authenticated and g.get("session_row") is not None:
        sessions.end(g.session_row.id)
    keep = {k: session[k] for k in ("return_to", "resume_owner") if k in session}
    session.clear()
    session.update(keep)
    # Flask-WTF caches the CSRF token for the request; after clearing the session, a form rendered
    # in this same response (a resumed entry form) must get a token of the new session.
    g.pop("csrf_token", None)
    token, sealed = sessions.start(user.id, user_key, server_secret(),
                                   sessions.device_summary(request.headers.get("User-Agent", "")))
    session["uk"] = sealed
    g.user_key = user_key
    g.session_row = sessions.row_for(token)  # what this request seals pending values to
    login_user(Account(user, token))


def end_session() -> None:
    drop_second_factor()
    row = g.get("session_row")
    if row is not None:
        sessions.end(row.id)
    logout_user()
    session.clear()


def user_key() -> bytes:
    """The logged-in user's key, unsealed for this request only. 401 if it cannot be opened."""
    if "user_key" not in g:
        row = g.get("session_row")
        try:
            if row is None or "uk" not in session:
                raise CryptoError("no session")
            g.user_key, resealed = sessions.unseal_any(row, session["uk"], server_secret())
            if resealed:  # opened with a previous secret (rotation): carry it over to the new one
                session["uk"] = resealed
        except CryptoError:
            logout_user()
            session.clear()
            abort(401)
    return g.user_key


def session_row():
    return g.get("session_row")


def login_required(view: Callable) -> Callable:
    """Like Flask-Login's, but also makes sure the sealed key opens (no half-logged-in state)."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        user_key()
        return view(*args, **kwargs)
    return wrapped


def fresh_login_required(view: Callable) -> Callable:
    """Sensitive actions: the password must have been typed within FOKUS_FRESH_LOGIN_MINUTES."""
    @functools.wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        window = timedelta(minutes=current_app.config["FRESH_LOGIN_MINUTES"])
        if not sessions.is_fresh(g.session_row, window):
            return redirect(url_for("auth.confirm", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped


# --- keeping what was typed when a session ends mid-form ----------------------------------------
# A therapist may type for twenty minutes in a parked car and find the session timed out. Instead of
# losing the text, the login page carries it along: sealed under a key derived from the server
# secret, inside the login form itself (never stored on the server), and after login the original
# form is shown again, filled in. The resume blob expires after RESUME_TTL.

RESUMABLE: dict[str, Callable] = {}
RESUME_TTL = timedelta(hours=3)


def resumable(endpoint: str):
    """Register `render(formdata, **view_args)` that re-renders the form behind `endpoint`."""
    def register(render: Callable) -> Callable:
        RESUMABLE[endpoint] = render
        return render
    return register


def _resume_key(secret: bytes | None = None) -> bytes:
    return keyring.hkdf(secret or server_secret(), "resume-form")


def _resume_aad() -> bytes:
    """Purpose, owner and object: this browser (a random id in its session cookie, since nobody is
    logged in when the blob is made) and its login form. Another browser cannot resume it."""
    owner = session.setdefault("resume_owner", keyring.b64e(keyring.random_key()[:16]))
    return keyring.aad("resume", "browser", owner, "login-form")


def _unauthorized():
    from blueprints.forms import LoginForm
    if request.method == "POST" and request.endpoint in RESUMABLE:
        payload = {"e": request.endpoint, "a": request.view_args or {},
                   "f": [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"],
                   "t": int(time.time())}
        form = LoginForm(formdata=None)
        form.resume.data = keyring.b64e(keyring.seal(_resume_key(), json.dumps(payload).encode(), _resume_aad()))
        note = gettext("Your session ended, so please log in again. What you typed is kept and "
                       "will be back in the form right after.")
        return render_template("auth/login.html", form=form, resume_note=note), 401
    if request.method != "GET":
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _open_resume(blob: bytes, secret: bytes | None = None) -> bytes:
    try:
        return keyring.open_blob(_resume_key(secret), blob, _resume_aad())
    except CryptoError:
        # Login pages from before the AAD named the browser (they expire after RESUME_TTL).
        return keyring.open_blob(_resume_key(secret), blob, keyring.aad("resume"))


def resume(blob: str):
    """After login: the response that shows the interrupted form again, or None."""
    try:
        payload = json.loads(server_keys.open_with_any(
            server_secret(), lambda s: _open_resume(keyring.b64d(blob), s)))
    except (CryptoError, ValueError):
        return None
    render = RESUMABLE.get(payload.get("e"))
    if render is None or time.time() - payload.get("t", 0) > RESUME_TTL.total_seconds():
        return None
    return render(MultiDict(payload["f"]), **payload["a"])


# --- the step between password and second factor -------------------------------------------------
# Held and opened in blueprints/pending.py; ending it belongs here, with logout.


def drop_second_factor() -> None:
    """Completed or abandoned: the row goes with the cookie value."""
    p = session.pop("second_factor", None)
    if isinstance(p, dict):
        login_steps.end(p.get("token"))

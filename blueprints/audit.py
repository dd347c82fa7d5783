"""Security events from one place: an after-request hook maps (endpoint, response) to an event
kind and outcome and appends it to the log (domain/ops/audit.py), so the views of other features
need no audit calls. Only POST requests are looked at (GET never writes). Also the account
holder's own list, /settings/security-events."""
from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from wtforms import ValidationError

from blueprints import guards
from domain.accounts import login_steps
from domain.core.db import db
from domain.ops import audit

bp = Blueprint("audit", __name__)
log = logging.getLogger(__name__)
Outcome = Callable[[Response], "str | None"]


def _target(response: Response) -> str | None:
    """The endpoint a redirect (or a JSON {"redirect": url}) points to."""
    url = response.location if response.status_code in (301, 302, 303) else None
    if url is None and response.is_json and response.status_code == 200:
        url = (response.get_json(silent=True) or {}).get("redirect")
    if not url:
        return None
    try:
        return current_app.url_map.bind("localhost").match(urlsplit(url).path, method="GET")[0]
    except HTTPException:
        return None


def _went(*ok: str, pending: tuple[str, ...] = (), failed: tuple[str, ...] = ()) -> Outcome:
    """Success is a redirect to one of `ok` (or anywhere else when `ok` is empty and the target is
    not a guard's detour); a 4xx form page is a failure."""
    def outcome(response: Response) -> str | None:
        if response.status_code in (400, 403, 404, 409, 410, 422):
            return "failed"
        target = _target(response)
        if target in pending:
            return "pending"
        if target in failed:
            return "failed"
        if target is not None and (target in ok or (not ok and target not in ("auth.confirm", "auth.login"))):
            return "ok"
        return None
    return outcome


def _page(response: Response) -> str | None:
    """Success renders a page (backup codes, a download); refusal is a 4xx page."""
    if response.status_code == 200:
        return "ok"
    return "failed" if 400 <= response.status_code < 500 else None


_LOGIN_STEPS = ("auth.second_factor", "passkeys.password")
RULES: dict[str, tuple[str, Outcome]] = {
    "auth.signup": ("signup", _went()),
    "auth.login": ("login", _went(pending=_LOGIN_STEPS, failed=("auth.login",))),
    "passkeys.login": ("login_passkey", _went(pending=_LOGIN_STEPS)),
    "passkeys.password": ("login", _went(failed=("auth.login",))),
    "auth.second_factor": ("login_second_factor", _went(failed=("auth.login",))),
    "auth.confirm": ("password_check", _went(failed=("auth.login",))),
    "auth.logout": ("logout", _went("auth.login")),
    "auth.recover": ("recovery_used", _went("auth.recovery_code")),
    "settings.password": ("password_changed", _went("settings.index")),
    "settings.recovery_code": ("recovery_code_changed", _went("auth.recovery_code")),
    "settings.end_session": ("sessions_ended", _went("settings.sessions_page", "auth.login")),
    "settings.end_others": ("sessions_ended", _went("settings.sessions_page")),
    "twofactor.setup": ("two_factor_on", _page),
    "twofactor.disable": ("two_factor_off", _went("twofactor.index")),
    "twofactor.backup_codes": ("backup_codes_renewed", _page),
    "passkeys.add": ("passkey_added", _went("passkeys.index")),
    "passkeys.remove": ("passkey_removed", _went("passkeys.index")),
    "data.export_json": ("export", _page),
    "data.export_zip": ("export", _page),
    "data.export_pdf": ("export", _page),
    "data.import_confirm": ("import", _went("journal.index", failed=("data.index",))),
    "data.delete_account": ("account_deleted", _went("home.index")),
    "sharing.share_entry": ("share", _went()),
    "sharing.agenda": ("share", _went()),
    "sharing.urgent": ("share", _went()),
    "sharing.revoke": ("revoke", _went()),
}
# Events that belong to no session yet; every other kind needs the acting account (an anonymous
# POST that was only sent to the login page is not an event).
ANONYMOUS_OK = frozenset({"signup", "login", "login_passkey", "login_second_factor", "recovery_used",
                          "rate_limited"})
DETAIL = {"data.export_json": "json", "data.export_zip": "zip", "data.export_pdf": "pdf"}


def init_app(app: Flask) -> None:
    app.before_request(_note_actor)
    app.after_request(_record)


def _note_actor() -> None:
    """Before the view (the session may be renewed by it): whether the form's CSRF token is valid
    (a request without one did nothing and is no event), and who is acting, for the requests after
    which nobody is logged in (logout, account deletion: the pseudonym is fixed now, while the
    account still exists)."""
    if request.method != "POST" or request.endpoint not in RULES:
        return
    g.audit_token_ok = _token_ok()
    if not current_user.is_authenticated:
        return
    g.audit_actor = current_user.user.id
    if request.endpoint == "data.delete_account":
        g.audit_pseudonym = audit.pseudonym(current_user.user.id)


def _token_ok() -> bool:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    try:
        validate_csrf(request.form.get("csrf_token") or request.headers.get("X-CSRFToken"))
    except ValidationError:
        return False
    return True


def _actor() -> str | None:
    """The account an event belongs to: the one logged in (before or after the view), else the one
    a login form, a pending second-factor step or a pending passkey step names."""
    if "audit_actor" in g:
        return g.audit_actor
    if current_user.is_authenticated:
        return current_user.user.id
    if request.endpoint in ("auth.login", "auth.recover"):
        return audit.user_id_for_login(guards.server_secret(), request.form.get("login", ""))
    if request.endpoint == "auth.second_factor":
        step = login_steps.open_step((session.get("second_factor") or {}).get("token"))
        return step[1].id if step else None
    if request.endpoint == "passkeys.password":
        return (session.get("passkey_pending") or {}).get("uid")
    return None


def _event(response: Response) -> tuple[str, str, str] | None:
    """(kind, outcome, detail) for this response, or None when it is not a security event."""
    if response.status_code == 429:
        return "rate_limited", "refused", request.endpoint or ""
    if not g.get("audit_token_ok"):
        return None
    kind, outcome_of = RULES.get(request.endpoint or "", (None, None))
    outcome = outcome_of(response) if outcome_of else None
    return (kind, outcome, DETAIL.get(request.endpoint, "")) if kind and outcome else None


def _record(response: Response) -> Response:
    if request.method != "POST" or response.status_code >= 500:
        return response
    event = _event(response)
    if event is None:
        return response
    try:
        actor, name = _actor(), g.get("audit_pseudonym")
        if actor is None and name is None and event[0] not in ANONYMOUS_OK:
            return response
        # Whatever a view left uncommitted was not meant to be kept: only the event is written.
        db.session.rollback()
        audit.record(event[0], user_id=None if name else actor, pseudonym_=name,
                     address=request.remote_addr, outcome=event[1], detail=event[2])
        db.session.commit()
    except SQLAlchemyError:
        # The user's action is done; a lost event must not turn it into an error page.
        db.session.rollback()
        log.exception("audit event could not be written", extra={"event": "audit_write_failed"})
    return response


@bp.route("/settings/security-events")
@guards.login_required
def security_events():
    rows = audit.events_for(current_user.user.id)
    return render_template("settings/security_events.html", rows=rows, kinds=audit.KINDS,
                           outcomes=audit.OUTCOMES)

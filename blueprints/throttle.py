"""HTTP side of the one limiter policy for secrets (domain/accounts/attempts.py): who is asking (account,
address, trusted-device cookie), the 429 answer, and the long-lived device cookie set after a
complete login. Every view that checks a password, recovery code or second factor goes through
`guarded` so the policy cannot differ between forms."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request
from werkzeug.exceptions import TooManyRequests

from blueprints import guards
from blueprints.errors import page
from domain.accounts import account as accounts
from domain.accounts import attempts
from domain.core import keyring
from domain.core.db import db
from domain.core.models import User

T = TypeVar("T")
DEVICE_MAX_AGE = 180 * 24 * 3600


def device_cookie_name() -> str:
    return "__Host-fokus-device" if current_app.config["FOKUS_ENV"] == "production" else "fokus-device"


def who_for_login(login: str) -> attempts.Who:
    index = keyring.blind_index(guards.server_secret(), accounts.normalize_login(login or "")[:254])
    return _who(index)


def who_for_user(user: User) -> attempts.Who:
    return _who(user.login_index)


def _who(login_index: bytes) -> attempts.Who:
    return attempts.Who(attempts.account_ref(guards.server_secret(), login_index),
                        request.remote_addr or "unknown", request.cookies.get(device_cookie_name()))


class Throttled(TooManyRequests):
    def __init__(self, wait: int):
        super().__init__()
        self.wait = wait


def guarded(who: attempts.Who, check: str, attempt: Callable[[], T]) -> T:
    """Run `attempt` (which checks a secret and returns something falsy when it was wrong) unless
    the policy says wait; count the outcome. Raises Throttled (answered as 429).
    RATELIMIT_ENABLED (Flask-Limiter's switch, on unless a test turns it off) is the one switch for
    every limit."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return attempt()
    wait = attempts.retry_after(who)
    if wait:
        attempts.blocked(who, check, wait)
        raise Throttled(wait)
    result = attempt()
    if not result:
        attempts.failed(who, check)
        db.session.commit()
    return result


def password_key(user: User, password: str, who: attempts.Who | None = None) -> bytes | None:
    """The user key when `password` is the user's (a re-check before a sensitive step), else None;
    counted under "password" like every other password form."""
    return guarded(who or who_for_user(user), "password",
                   lambda: accounts.authenticate_user(guards.kdf_policy(), user, password))


def trust_this_device(who: attempts.Who) -> None:
    """After a complete login (password and, if on, second factor): this address's count for the
    account starts again, and the browser is remembered (cookie set in after_request). A right
    password alone clears nothing, or it would reset the count of wrong second-factor codes."""
    attempts.succeeded(who)
    g.trusted_device = attempts.trust_device(who.account, who.device)


def _set_device_cookie(response):
    token = g.pop("trusted_device", None)
    if token:
        response.set_cookie(device_cookie_name(), token, max_age=DEVICE_MAX_AGE, path="/",
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                            samesite="Lax")
    return response


def init_app(app) -> None:
    app.after_request(_set_device_cookie)
    app.register_error_handler(Throttled, lambda exc: page(429, retry_after=str(exc.wait)))

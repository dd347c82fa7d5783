"""Sealed pending values: something a user must get back on their next request (a fresh recovery
code until they confirm saving it, a two-factor secret being set up, an import file awaiting
confirmation) sealed under a subkey of their user key and bound to them and to this session row.
The sealed text travels in the session cookie or a form field, so the server keeps nothing.
Also what else waits in the session between two requests: the page to go back to, and the step
between password and second factor."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import session, url_for
from flask_login import current_user

from blueprints import guards
from domain.accounts import login_steps
from domain.core import keyring
from domain.core.models import User


def _aad(purpose: str) -> bytes:
    return keyring.aad(purpose, "owner", current_user.id, "session", guards.session_row().id)


def seal(purpose: str, value: bytes) -> str:
    return keyring.b64e(keyring.seal_for(guards.user_key(), purpose, value, _aad(purpose)))


def unseal(purpose: str, sealed: str) -> bytes:
    """The value, or CryptoError. The older AAD without the session row still opens."""
    return keyring.open_for(guards.user_key(), purpose, keyring.b64d(sealed), _aad(purpose),
                            keyring.aad(purpose, current_user.id))


def put(name: str, purpose: str, value: str) -> None:
    session[name] = seal(purpose, value.encode())


def peek(name: str, purpose: str) -> str | None:
    """The value kept under `name`, or None; one that no longer opens is dropped."""
    sealed = session.get(name)
    if not sealed:
        return None
    try:
        return unseal(purpose, sealed).decode()
    except keyring.CryptoError:
        session.pop(name, None)
        return None


def drop(name: str) -> None:
    session.pop(name, None)


RECOVERY_CODE = "pending_rc"


def hold_recovery_code(code: str) -> None:
    """A fresh recovery code waits here until the user confirms saving it."""
    put(RECOVERY_CODE, "pending-recovery", code)


def held_recovery_code() -> str | None:
    return peek(RECOVERY_CODE, "pending-recovery")


# --- where to go next ------------------------------------------------------------------------------
# A page may ask to be shown again after sign-up or login ("return_to" in the session, set by the
# contacts and groups invitation pages), and login pages carry ?next=.


def back_to(next_url: str | None = None) -> str:
    """After login or saving the recovery code: `next_url`, else the page that asked, else home."""
    return safe_next(next_url or session.pop("return_to", None))


def safe_next(target: str | None) -> str:
    """Only same-site relative paths: an open redirect after login is a phishing gift.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so "/<TAB>/evil"
    or "/<BACKSLASH>evil" would become "//evil": control characters and backslashes are refused."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target)):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.index")


# --- the step between password and second factor -------------------------------------------------
# Only for accounts with 2FA on. The cookie holds a random token and the non-secret next/resume
# values; the user key waits in a server-side row sealed under a key derived from that token
# (domain/accounts/login_steps.py), so the server secret alone cannot forge the step and logout
# kills it (guards.drop_second_factor).


def hold_second_factor(user: User, user_key: bytes, next_url: str | None, resume_blob: str | None) -> None:
    login_steps.end(session.pop("second_factor", {}).get("token"))
    session["second_factor"] = {"token": login_steps.begin(user, user_key), "next": next_url or "",
                                "resume": resume_blob or ""}


def second_factor_step():
    """(step row, user, user key, next, resume) while the code step is open, else None."""
    p = session.get("second_factor")
    found = login_steps.open_step(p.get("token")) if isinstance(p, dict) else None
    if found is None:
        session.pop("second_factor", None)
        return None
    row, user, user_key = found
    return row, user, user_key, p.get("next") or None, p.get("resume") or None

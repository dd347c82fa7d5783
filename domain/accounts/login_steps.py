"""The pending second-factor step: a server-side row, single use, short-lived.

Only an account with two-factor login on gets a step, and only after the right password. The
browser keeps a random token; the row keeps the token's SHA-256 and the user key sealed under a key
derived from the token (HKDF). So:
- the server secret alone cannot forge a step (there is no row to match, and no user key to find);
- a database copy alone cannot open the user key (the token is not in it);
- a captured step cookie dies with the row: success, logout, expiry and too many wrong codes
  delete it.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete

from domain.core import keyring
from domain.core.db import db, utcnow
from domain.core.models import LoginStep, User

TTL = timedelta(minutes=5)
MAX_FAILURES = 5


def _row_id(token: str) -> str:
    return hashlib.sha256(b"fokus/v1|login-step|" + token.encode()).hexdigest()


def _key(token: str) -> bytes:
    return keyring.hkdf(token.encode(), "login-step")


def _aad(row_id: str, user_id: str) -> bytes:
    return keyring.aad("login-step", row_id, "user", user_id)


def begin(user: User, user_key: bytes, now: datetime | None = None) -> str:
    """Open a step for `user` (2FA must be on); returns the token for the cookie."""
    if not user.totp_enabled:
        raise ValueError("no second factor for this account")
    now = now or utcnow()
    db.session.execute(delete(LoginStep).where(LoginStep.expires_at < now))
    token = secrets.token_urlsafe(32)
    row_id = _row_id(token)
    db.session.add(LoginStep(id=row_id, user_id=user.id, expires_at=now + TTL, failures=0,
                             sealed_key=keyring.seal(_key(token), user_key, _aad(row_id, user.id))))
    return token


def open_step(token: str | None, now: datetime | None = None) -> tuple[LoginStep, User, bytes] | None:
    """(row, user, user key) for a live step, else None (an expired row is deleted)."""
    if not token or len(token) > 100:
        return None
    row = db.session.get(LoginStep, _row_id(token))
    if row is None:
        return None
    user = db.session.get(User, row.user_id)
    if (now or utcnow()) > row.expires_at or user is None or not user.totp_enabled:
        db.session.delete(row)
        return None
    try:
        user_key = keyring.open_blob(_key(token), row.sealed_key, _aad(row.id, row.user_id))
    except keyring.CryptoError:
        return None
    return row, user, user_key


def wrong_code(row: LoginStep) -> bool:
    """Count a wrong code; after MAX_FAILURES the step is gone (password again). True if gone."""
    row.failures += 1
    if row.failures >= MAX_FAILURES:
        db.session.delete(row)
        return True
    return False


def end(token: str | None) -> None:
    """Completed, abandoned or logged out: the row goes, so the cookie is worthless."""
    if token and len(token) <= 100:
        db.session.execute(delete(LoginStep).where(LoginStep.id == _row_id(token)))

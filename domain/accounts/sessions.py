"""Server-side session rows and the sealed user key that travels in the cookie.

The cookie carries (token, sealed user key). The key that seals it is derived from the server
secret and a per-session salt kept only in the row, so logout, timeout or "log out everywhere"
(all of which delete rows) make a replayed cookie useless.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import OperationalError

from domain.core import keyring, server_keys
from domain.core.db import db, utcnow
from domain.core.models import User, UserSession

# last_seen is written at most this often per session (a write per request would be wasteful),
# and never less often than 1/60 of the idle timeout: the timeout then holds to within a few
# seconds at any setting (a 1-minute timeout: within a second).
TOUCH_EVERY = timedelta(seconds=5)


def touch_every(idle: timedelta) -> timedelta:
    return min(TOUCH_EVERY, idle / 60)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta


def _row_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _seal_aad(row_id: str, user_id: str) -> bytes:
    return keyring.aad("session", row_id, "user", user_id)


def start(user_id: str, user_key: bytes, secret: bytes, device: str) -> tuple[str, str]:
    """Create a session row; returns (cookie token, sealed user key as text)."""
    token = secrets.token_urlsafe(32)
    row = UserSession(id=_row_id(token), user_id=user_id, salt=secrets.token_bytes(32),
                      device=device[:80])
    db.session.add(row)
    sealed = keyring.seal(keyring.session_seal_key(secret, row.salt), user_key,
                          _seal_aad(row.id, user_id))
    return token, keyring.b64e(sealed)


def row_for(token: str) -> UserSession | None:
    """The row of a session started in this request (flushed so it can be found)."""
    db.session.flush()
    return db.session.get(UserSession, _row_id(token))


def load(token: str, timeouts: Timeouts, now: datetime | None = None) -> UserSession | None:
    """The live row for a cookie token, or None (and the row deleted) when it has timed out."""
    found = load_with_user(token, timeouts, now)
    return found[0] if found is not None else None


# Built once: every logged-in request runs it.
_WITH_USER = select(UserSession, User).join(User, User.id == UserSession.user_id) \
    .where(UserSession.id == bindparam("row_id"))


def load_with_user(token: str, timeouts: Timeouts,
                   now: datetime | None = None) -> tuple[UserSession, User] | None:
    """Like load, with the user row: one query, since every logged-in request needs both."""
    if not token or len(token) > 100:
        return None
    found = db.session.execute(_WITH_USER, {"row_id": _row_id(token)}).first()
    if found is None:
        return None
    row, user = found
    now = now or utcnow()
    if now - row.last_seen_at > timeouts.idle or now - row.created_at > timeouts.absolute:
        db.session.delete(row)
        _commit_best_effort()
        return None
    if now - row.last_seen_at >= touch_every(timeouts.idle):
        row.last_seen_at = now
        _commit_best_effort()
    return row, user


def _commit_best_effort() -> None:
    """On SQLite a page view reads in a deferred transaction; if another worker wrote since its
    first read, SQLite refuses the upgrade to a write at once. Touching last_seen (or removing a
    timed-out row) can wait for the next request, so that is not an error page."""
    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()


def unseal(row: UserSession, sealed: str, secret: bytes) -> bytes:
    return keyring.open_blob(keyring.session_seal_key(secret, row.salt), keyring.b64d(sealed),
                             _seal_aad(row.id, row.user_id))


def unseal_any(row: UserSession, sealed: str, secret: bytes) -> tuple[bytes, str | None]:
    """Like unseal, but during a secret rotation also with a previous secret. Returns the user key
    and, when an old secret opened it, the key sealed anew under the current secret for the
    cookie (so the old secret can be dropped without logging this session out)."""
    try:
        return unseal(row, sealed, secret), None
    except keyring.CryptoError:
        key = server_keys.open_with_any(secret, lambda s: unseal(row, sealed, s))
    resealed = keyring.seal(keyring.session_seal_key(secret, row.salt), key, _seal_aad(row.id, row.user_id))
    return key, keyring.b64e(resealed)


def is_fresh(row: UserSession, window: timedelta, now: datetime | None = None) -> bool:
    return (now or utcnow()) - row.fresh_at <= window


def mark_fresh(row: UserSession) -> None:
    row.fresh_at = utcnow()


# Features that keep something per session in memory (the journal cache) register here and are
# told when sessions end, so accounts never imports the features built on top of it.
_session_listeners: list = []
_owner_listeners: list = []


def when_ended(*, session, owner) -> None:
    """Register `session(row_id)` and `owner(user_id)`, called when one or all sessions end."""
    _session_listeners.append(session)
    _owner_listeners.append(owner)


def end(row_id: str) -> None:
    for drop in _session_listeners:   # decrypted data cached for this session goes with it
        drop(row_id)
    db.session.execute(delete(UserSession).where(UserSession.id == row_id))


def end_all(user_id: str, keep: str | None = None) -> int:
    """Log out everywhere (optionally except the current session). Returns how many ended."""
    for drop in _owner_listeners:
        drop(user_id)
    stmt = delete(UserSession).where(UserSession.user_id == user_id)
    if keep:
        stmt = stmt.where(UserSession.id != keep)
    return db.session.execute(stmt).rowcount or 0


def list_for(user_id: str) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user_id)
                                   .order_by(UserSession.last_seen_at.desc())))


def device_summary(user_agent: str) -> str:
    """A coarse label ("Firefox on Android") — enough to recognise a device, no fingerprint."""
    ua = user_agent or ""
    browser = next((b for k, b in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                   ("Safari/", "Safari")) if k in ua), "Browser")
    system = next((s for k, s in (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
                                  ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux"))
                   if k in ua), "unknown system")
    return f"{browser} on {system}"

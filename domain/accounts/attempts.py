"""One policy for every check of a secret: password, recovery code, TOTP code, backup code.

Following OWASP's advice against hard lockout, failures are counted in the database (shared by
every app process) per scope:
- per (account, address): PAIR_LIMIT failures in PAIR_WINDOW, then 429 until the window moves on;
- per (account, trusted device): the same limit, so a stolen device cookie buys no more guesses;
- per account, from anywhere that is not a trusted device: ACCOUNT_FREE failures a day, then each
  further attempt waits twice as long after the previous failure (capped at MAX_DELAY).
A browser that completed a login to the account before (a trusted device) skips the per-account
delay: an attacker guessing from many addresses cannot lock the owner out of their own phone.
Scopes are keyed hashes, so the table holds no login names and no addresses. Every failure is a
`fokus.security` log event with the check, a short account reference and the address, never a
secret.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from domain.core.db import db, utcnow
from domain.core.models import AuthFailure, TrustedDevice

log = logging.getLogger("fokus.security")

PAIR_LIMIT = 10
PAIR_WINDOW = timedelta(minutes=15)
ACCOUNT_FREE = 10
ACCOUNT_WINDOW = timedelta(hours=24)
MAX_DELAY = timedelta(minutes=15)
DEVICES_PER_ACCOUNT = 20
SWEEP_ONE_IN = 20


@dataclass(frozen=True)
class Who:
    """Who is trying: the account reference, the client address and a trusted-device token."""

    account: str
    address: str
    device: str | None = None


def account_ref(secret: bytes, login_index: bytes) -> str:
    """A stable reference for an account (or for a login name nobody has: the same shape, so limits
    never tell which names exist). Derived from the login's keyed hash, never the name."""
    return hmac.new(secret, b"fokus/v1|attempts|" + login_index, hashlib.sha256).hexdigest()


def _scope(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _trusted(who: Who) -> str | None:
    """The device row id when `who.device` is a trusted device of this account, else None."""
    if not who.device or len(who.device) > 100:
        return None
    row = db.session.get(TrustedDevice, _scope("device", who.device))
    return row.id if row is not None and row.account == who.account else None


def _failures(scope: str, since: datetime) -> tuple[int, datetime | None]:
    n, last = db.session.execute(select(func.count(), func.max(AuthFailure.at))
                                 .where(AuthFailure.scope == scope, AuthFailure.at > since)).one()
    return int(n), last


def retry_after(who: Who, now: datetime | None = None) -> int:
    """Seconds to wait before this attempt may be checked; 0 means go ahead."""
    now = now or utcnow()
    device = _trusted(who)
    pair = _scope("device", device) if device else _scope("pair", who.account, who.address)
    waits = []
    n, last = _failures(pair, now - PAIR_WINDOW)
    if n >= PAIR_LIMIT and last is not None:
        first = db.session.scalar(select(AuthFailure.at).where(AuthFailure.scope == pair,
                                                                AuthFailure.at > now - PAIR_WINDOW)
                                  .order_by(AuthFailure.at).limit(1))
        waits.append((first or last) + PAIR_WINDOW - now)
    if device is None:
        n, last = _failures(_scope("account", who.account), now - ACCOUNT_WINDOW)
        if n >= ACCOUNT_FREE and last is not None:
            delay = min(MAX_DELAY, timedelta(seconds=2 ** min(n - ACCOUNT_FREE, 20)))
            waits.append(last + delay - now)
    wait = max(waits, default=timedelta(0))
    return max(0, int(wait.total_seconds() + 0.999))


def failed(who: Who, check: str, now: datetime | None = None) -> None:
    """Count a failure in every scope it belongs to and log it as a security event."""
    now = now or utcnow()
    device = _trusted(who)
    scopes = [_scope("pair", who.account, who.address), _scope("account", who.account)]
    if device:
        scopes.append(_scope("device", device))
    db.session.add_all([AuthFailure(scope=s, at=now) for s in scopes])
    if secrets.randbelow(SWEEP_ONE_IN) == 0:  # old rows go now and then, not on every failure
        db.session.execute(delete(AuthFailure).where(AuthFailure.at < now - ACCOUNT_WINDOW))
    log.warning("auth_failure check=%s account=%s address=%s trusted_device=%s",
                check, who.account[:12], who.address, bool(device))


def blocked(who: Who, check: str, wait: int) -> None:
    log.warning("auth_blocked check=%s account=%s address=%s retry_after=%d",
                check, who.account[:12], who.address, wait)


def succeeded(who: Who) -> None:
    """A right answer clears this address's (or device's) count for the account; the account-wide
    count stays, so an attacker cannot reset it by logging in to their own account."""
    device = _trusted(who)
    scope = _scope("device", device) if device else _scope("pair", who.account, who.address)
    db.session.execute(delete(AuthFailure).where(AuthFailure.scope == scope))


def trust_device(account: str, token: str | None) -> str:
    """After a complete login: remember this browser for the account. Returns the cookie token
    (the old one if it was already trusted for this account)."""
    if token and _trusted(Who(account, "", token)):
        return token
    token = secrets.token_urlsafe(32)
    db.session.add(TrustedDevice(id=_scope("device", token), account=account))
    db.session.flush()
    rows = list(db.session.scalars(select(TrustedDevice.id).where(TrustedDevice.account == account)
                                   .order_by(TrustedDevice.created_at.desc()).offset(DEVICES_PER_ACCOUNT)))
    if rows:
        db.session.execute(delete(TrustedDevice).where(TrustedDevice.id.in_(rows)))
    return token


def forget_account(account: str) -> None:
    """Account deleted: its trusted devices go too."""
    db.session.execute(delete(TrustedDevice).where(TrustedDevice.account == account))

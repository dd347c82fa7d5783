"""The security event log (issue 20.3): `record(kind, user_id=..., address=..., outcome=...)` appends
one event to the hash chain (domain/ops/audit_chain.py). Most events are recorded by one
after-request hook (blueprints/audit.py); jobs without a request (expiry runs) call `record`.

No user content ever reaches this module: a kind from KINDS, an outcome from OUTCOMES, an address,
and a short operator detail made of ids and counts only.

Pseudonyms: HMAC-SHA256 of the user id under a random key made for that account, stored (with the
result) in `audit_subjects` and deleted with the account. A key derived from the server secret
would let anyone holding the secret re-link a deleted account's events to its id, and would change
with every secret rotation; a per-account key that dies with the account does neither."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select, text

from domain.accounts.account import normalize_login
from domain.core import server_keys
from domain.core.db import db, utcnow
from domain.core.models import AuditEvent, AuditSubject, User
from domain.core.refusal import N_
from domain.ops import audit_chain

# What happened; the label is what the account holder reads in settings.
KINDS = {
    "signup": N_("Account created"),
    "login": N_("Login with password"),
    "login_passkey": N_("Login with a passkey"),
    "login_second_factor": N_("Two-factor code at login"),
    "password_check": N_("Password typed again"),
    "logout": N_("Logged out"),
    "sessions_ended": N_("Sessions ended"),
    "rate_limited": N_("Too many attempts, refused"),
    "password_changed": N_("Password changed"),
    "recovery_used": N_("New password set with the recovery code"),
    "recovery_code_changed": N_("New recovery code made"),
    "two_factor_on": N_("Two-factor login turned on"),
    "two_factor_off": N_("Two-factor login turned off"),
    "backup_codes_renewed": N_("New backup codes made"),
    "passkey_added": N_("Passkey added"),
    "passkey_removed": N_("Passkey removed"),
    "export": N_("Journal exported"),
    "import": N_("Journal imported"),
    "share": N_("Entry shared"),
    "revoke": N_("Sharing stopped"),
    "account_deleted": N_("Account deleted"),
    "expiry_run": N_("Expired content deleted"),
    "audit_pruned": N_("Old log events removed"),
}
OUTCOMES = {
    "ok": N_("done"),
    "failed": N_("failed"),
    "refused": N_("refused"),
    "pending": N_("waiting for the next step"),
}
# Any number identifies the chain's append lock; PostgreSQL holds it until the transaction ends.
_PG_LOCK = 0x464F4B5553  # "FOKUS"


def pseudonym(user_id: str, create: bool = True) -> str | None:
    """The account's pseudonym in the log (made on first use when `create`), else None."""
    found = db.session.get(AuditSubject, user_id)
    if found is not None:
        return found.pseudonym
    if not create:
        return None
    digest = hmac.new(secrets.token_bytes(32), user_id.encode(), hashlib.sha256).hexdigest()[:32]
    db.session.add(AuditSubject(user_id=user_id, pseudonym=digest))
    db.session.flush()
    return digest


def record(kind: str, *, user_id: str | None, address: str | None, outcome: str,
           detail: str = "", pseudonym_: str | None = None) -> AuditEvent:
    """Append one event (the caller commits). `pseudonym_` stands in for `user_id` when the
    account is about to be gone (deletion). Appends are serialised: an advisory lock on
    PostgreSQL, the single write lock on SQLite; `seq` and `hash` are unique besides, so two
    writers can never fork the chain, at worst one of them fails."""
    if kind not in KINDS or outcome not in OUTCOMES:
        raise ValueError(f"unknown audit kind or outcome: {kind}/{outcome}")
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    last = db.session.execute(select(AuditEvent.seq, AuditEvent.hash)
                              .order_by(AuditEvent.seq.desc()).limit(1)).first()
    row = AuditEvent(seq=(last.seq + 1) if last else 1, at=utcnow(), kind=kind, outcome=outcome,
                     pseudonym=pseudonym_ or (pseudonym(user_id) if user_id else None),
                     address=(address or "")[:64] or None, detail=detail[:200],
                     prev_hash=last.hash if last else audit_chain.GENESIS)
    row.hash = audit_chain.row_hash(row, row.prev_hash)
    db.session.add(row)
    db.session.flush()
    return row


def events_for(user_id: str, limit: int = 100) -> list[AuditEvent]:
    """The account's own events, newest first (read only: no pseudonym yet means no events)."""
    name = pseudonym(user_id, create=False)
    if name is None:
        return []
    return list(db.session.execute(select(AuditEvent).where(AuditEvent.pseudonym == name)
                                   .order_by(AuditEvent.seq.desc()).limit(limit)).scalars())


def prune(now: datetime | None, keep_days: int) -> int:
    """Remove events older than `keep_days` and chain an anchor event; returns rows removed."""
    done = audit_chain.prune(now or utcnow(), keep_days)
    if done is None:
        return 0
    gone, detail = done
    record("audit_pruned", user_id=None, address=None, outcome="ok", detail=f"{detail} removed={gone}")
    return gone


def user_id_for_login(secret: bytes, login: str) -> str | None:
    """The account a login name belongs to, so failed logins show in that account's own list
    (the name itself is never stored: only the login index is compared)."""
    index = server_keys.login_index(secret, normalize_login(login or "")[:254])
    return db.session.scalar(select(User.id).where(User.login_index == index))

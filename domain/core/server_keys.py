"""The server secret, the previous secrets accepted during a rotation, and the login-index key.

Login names are never stored, only a keyed hash of them (the login index), so the index cannot be
recomputed under a new secret without every user typing their name again. Instead the index key is
kept in the database sealed under the server secret ("escrow", a row named by the fingerprint of
the secret that opens it) and a rotation re-seals it: the index values stay as they are, and
nobody has to log in again to be found. Until `flask fokus rotate-secret` first runs there is no
escrow row and the index key is derived from the secret itself, exactly as it always was.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import delete, select

from domain.core import keyring
from domain.core.db import db
from domain.core.keyring import CryptoError
from domain.core.models import ServerSetting

ESCROW_PREFIX = "login_index_key:"
T = TypeVar("T")

# current secret -> previous secrets, set by the app factory from FOKUS_OLD_SECRET_KEYS. Keyed by
# the current secret so several apps in one process (the test suite) cannot see each other's.
_PREVIOUS: dict[bytes, tuple[bytes, ...]] = {}


class SecretMismatch(RuntimeError):
    """No configured secret opens the escrowed login-index key: the wrong FOKUS_SECRET_KEY."""


def configure(current: str | bytes, previous: Iterable[str | bytes]) -> None:
    _PREVIOUS[_b(current)] = tuple(_b(p) for p in previous)


def _b(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def candidates(current: bytes) -> list[bytes]:
    """The current secret first, then the previous ones (newest first)."""
    return [current, *_PREVIOUS.get(current, ())]


def open_with_any(current: bytes, opener: Callable[[bytes], T]) -> T:
    """Run `opener(secret)` with the current secret, then each previous one; the first that does
    not raise CryptoError wins. Raises the last CryptoError if none opens."""
    error: CryptoError | None = None
    for secret in candidates(current):
        try:
            return opener(secret)
        except CryptoError as exc:
            error = exc
    raise error or CryptoError("no secret")


def fingerprint(secret: bytes) -> str:
    """Names a secret in the database without revealing anything about it."""
    return keyring.hkdf(secret, "secret-fingerprint")[:8].hex()


def _escrow_key(secret: bytes) -> bytes:
    return keyring.hkdf(secret, "login-index-escrow")


def _escrow_rows() -> dict[str, str]:
    rows = db.session.scalars(select(ServerSetting).where(ServerSetting.key.startswith(ESCROW_PREFIX)))
    return {r.key[len(ESCROW_PREFIX):]: r.value for r in rows}


def index_key(current: bytes) -> bytes:
    rows = _escrow_rows()
    if not rows:
        if len(candidates(current)) > 1:
            # Which of the secrets made the index is then a guess; refuse rather than guess wrong.
            raise SecretMismatch("The login index key is not escrowed yet: remove FOKUS_OLD_SECRET_KEYS, "
                                 "run `flask fokus rotate-secret` once, then start the rotation.")
        return keyring.hkdf(current, "login-index")  # never rotated: derived as it always was
    for secret in candidates(current):
        sealed = rows.get(fingerprint(secret))
        if sealed:
            return keyring.open_blob(_escrow_key(secret), keyring.b64d(sealed), keyring.aad("login-index-key"))
    raise SecretMismatch("FOKUS_SECRET_KEY (and FOKUS_OLD_SECRET_KEYS) do not open the login index: "
                         "accounts cannot be found. Check the secret this instance was given.")


def login_index(current: bytes, normalized_login: str) -> bytes:
    return hmac.new(index_key(current), normalized_login.encode(), hashlib.sha256).digest()


def escrow_index_key(current: bytes) -> None:
    """Seal the index key under the current secret only; rows for other secrets are removed, so a
    retired secret opens nothing in the database any more."""
    key = index_key(current)
    db.session.execute(delete(ServerSetting).where(ServerSetting.key.startswith(ESCROW_PREFIX)))
    sealed = keyring.seal(_escrow_key(current), key, keyring.aad("login-index-key"))
    db.session.add(ServerSetting(key=ESCROW_PREFIX + fingerprint(current), value=keyring.b64e(sealed)))

"""Two-factor login with TOTP (RFC 6238 via pyotp) and ten single-use backup codes."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import pyotp

from domain import keyring
from domain.models import User

ISSUER = "Fokus"
BACKUP_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_label: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_label, issuer_name=ISSUER)


def _aad(user: User) -> bytes:
    return keyring.aad("totp", user.id, "kv", user.key_version)


def _secret(user: User, user_key: bytes) -> str:
    return keyring.open_blob(user_key, user.totp_sealed, _aad(user)).decode()


def _step(code: str, secret: str, now: float) -> int | None:
    """The time step a code belongs to (window of one step either side), or None."""
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        at = now + offset * totp.interval
        if hmac.compare_digest(totp.at(at), code):
            return int(at // totp.interval)
    return None


def check_new(secret: str, code: str, now: float | None = None) -> bool:
    code = "".join(ch for ch in code if ch.isdigit())
    return len(code) == 6 and _step(code, secret, now or time.time()) is not None


def _backup_hash(user: User, code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(user.id.encode(), normalized.encode(), hashlib.sha256).hexdigest()


def enable(user: User, user_key: bytes, secret: str) -> list[str]:
    """Switch 2FA on (after the first code was confirmed); returns the backup codes, shown once."""
    user.totp_sealed = keyring.seal(user_key, secret.encode(), _aad(user))
    user.totp_enabled = True
    user.totp_last_step = None
    return new_backup_codes(user)


def new_backup_codes(user: User) -> list[str]:
    codes = ["-".join(secrets.token_hex(2).upper() for _ in range(3)) for _ in range(BACKUP_COUNT)]
    user.backup_codes = json.dumps([_backup_hash(user, c) for c in codes])
    return codes


def disable(user: User) -> None:
    user.totp_enabled = False
    user.totp_sealed = None
    user.totp_last_step = None
    user.backup_codes = None


def backup_codes_left(user: User) -> int:
    return len(json.loads(user.backup_codes or "[]"))


def verify(user: User, user_key: bytes, code: str, now: float | None = None) -> bool:
    """A current TOTP code (each time step works once) or an unused backup code (works once).
    An account without 2FA has no code that could be right: False, never a free pass."""
    if not user.totp_enabled or not user.totp_sealed:
        return False
    digits = "".join(ch for ch in code if ch.isdigit())
    if len(digits) == 6 and len(code.strip()) <= 7:
        step = _step(digits, _secret(user, user_key), now or time.time())
        if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
            user.totp_last_step = step
            return True
        return False
    hashes = json.loads(user.backup_codes or "[]")
    h = _backup_hash(user, code)
    match = next((x for x in hashes if hmac.compare_digest(x, h)), None)
    if match is None:
        return False
    hashes.remove(match)
    user.backup_codes = json.dumps(hashes)
    return True

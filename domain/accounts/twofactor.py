"""Two-factor login with TOTP (RFC 6238 via pyotp) and ten single-use backup codes.

Backup codes carry 80 random bits and are stored under argon2id (one salt per set, so a typed code
costs one derivation to check against all ten). Codes from before (48 bits, an HMAC keyed by the
user id) were re-hashed under argon2id by migration 0010 ("legacy" sets): they keep working until
used, and the settings page suggests making new ones."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import pyotp

from domain.core import keyring
from domain.core.models import User

ISSUER = "Fokus"
BACKUP_COUNT = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_label: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account_label, issuer_name=ISSUER)


def _aad(user: User) -> bytes:
    return keyring.aad("totp", "owner", user.id, "secret", "kv", user.key_version)


def _legacy_aad(user: User) -> bytes:
    return keyring.aad("totp", user.id, "kv", user.key_version)


def _secret(user: User, user_key: bytes) -> str:
    return keyring.open_for(user_key, "totp", user.totp_sealed, _aad(user), _legacy_aad(user)).decode()


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


BACKUP_GROUPS = 5  # 5 groups of 4 hex digits: 80 random bits
# A cost well above a plain hash but small enough to make ten at once: OWASP's argon2id floor,
# or the account's own (test) parameters when those are lower.
BACKUP_KDF = keyring.KdfParams(*keyring.OWASP_FLOOR)


def _normalized(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _legacy_hmac(user: User, code: str) -> str:
    """What the first version stored per code (48 bits, keyed by the user id)."""
    return hmac.new(user.id.encode(), _normalized(code).encode(), hashlib.sha256).hexdigest()


def _params(user: User) -> keyring.KdfParams:
    return keyring.KdfParams(min(BACKUP_KDF.memory_kib, user.kdf_memory_kib), min(BACKUP_KDF.time_cost,
                             user.kdf_time_cost), min(BACKUP_KDF.parallelism, user.kdf_parallelism))


def _slow(text: str, stored: dict) -> str:
    params = keyring.KdfParams(stored["m"], stored["t"], stored["p"])
    return keyring.slow_hash(text, keyring.b64d(stored["salt"]), params)[:16].hex()


def _stored(user: User) -> dict:
    """The backup code set: {"v": 2, "salt", "m", "t", "p", "h": [hashes], "legacy": bool}."""
    data = json.loads(user.backup_codes or "{}")
    return data if isinstance(data, dict) and data.get("v") == 2 else {"h": []}


def enable(user: User, user_key: bytes, secret: str) -> list[str]:
    """Switch 2FA on (after the first code was confirmed); returns the backup codes, shown once."""
    user.totp_sealed = keyring.seal_for(user_key, "totp", secret.encode(), _aad(user))
    user.totp_enabled = True
    user.totp_last_step = None
    return new_backup_codes(user)


def new_backup_codes(user: User) -> list[str]:
    codes = ["-".join(secrets.token_hex(2).upper() for _ in range(BACKUP_GROUPS)) for _ in range(BACKUP_COUNT)]
    p = _params(user)
    stored = {"v": 2, "salt": keyring.b64e(keyring.new_salt()), "m": p.memory_kib, "t": p.time_cost,
              "p": p.parallelism, "legacy": False}
    stored["h"] = [_slow(_normalized(c), stored) for c in codes]
    user.backup_codes = json.dumps(stored)
    return codes


def backup_codes_legacy(user: User) -> bool:
    return bool(_stored(user).get("legacy"))


def disable(user: User) -> None:
    user.totp_enabled = False
    user.totp_sealed = None
    user.totp_last_step = None
    user.backup_codes = None


def backup_codes_left(user: User) -> int:
    return len(_stored(user)["h"])


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
    stored = _stored(user)
    if not stored["h"] or not 8 <= len(_normalized(code)) <= 40:
        return False
    h = _slow(_legacy_hmac(user, code) if stored.get("legacy") else _normalized(code), stored)
    match = next((x for x in stored["h"] if hmac.compare_digest(x, h)), None)
    if match is None:
        return False
    stored["h"].remove(match)
    user.backup_codes = json.dumps(stored)
    return True

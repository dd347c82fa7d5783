"""Recovery codes: how one is made, read back as people type it, and derived into a verifier and
a key-encryption key. No `cryptography` calls of its own (see keyring.py)."""
from __future__ import annotations

import secrets

from domain.core.primitives import hkdf

# Base32 without padding; 32 characters carry 160 random bits (docs/ARCHITECTURE.md asks for at
# least 128).
_RC_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_RC_CONFUSABLE = str.maketrans({"0": "O", "1": "I", "8": "B", "9": "G"})
RECOVERY_CHARS = 32


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RC_ALPHABET) for _ in range(RECOVERY_CHARS))
    return "-".join(raw[i:i + 4] for i in range(0, RECOVERY_CHARS, 4))


def normalize_recovery_code(text: str) -> str | None:
    """Accept what people type: any case, spaces or dashes, 0/O and 1/I confusions."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_RC_CONFUSABLE)
    if len(cleaned) != RECOVERY_CHARS or any(ch not in _RC_ALPHABET for ch in cleaned):
        return None
    return cleaned


def normalize_group(text: str) -> str:
    """One typed group of a code (the sign-up check), with the same tolerance as the whole code."""
    return "".join(ch for ch in text.upper() if ch.isalnum()).translate(_RC_CONFUSABLE)


def derive_recovery(normalized_code: str, user_id: str) -> tuple[bytes, bytes]:
    """The code is high-entropy, so HKDF (salted with the user id) is enough: no stretching needed."""
    ikm = normalized_code.encode()
    salt = user_id.encode()
    return hkdf(ikm, "recovery-verifier", salt), hkdf(ikm, "recovery-kek", salt)

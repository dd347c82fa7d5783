"""What every key module shares: the format constants, the one error type, AAD, HKDF, random keys
and the text encoding of bytes. One of the three modules that call `cryptography` (see keyring.py)."""
from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PROTOCOL = "fokus/v1"
BLOB_V1 = 1
BLOB_V2 = 2
BLOB_VERSION = BLOB_V2      # what seal() writes
HPKE_V2 = 2
HPKE_VERSION = HPKE_V2      # what hpke_seal() writes (v1 had no version byte)
KEY_LEN = 32
NONCE_LEN = 12
COMMIT_LEN = 32


class CryptoError(Exception):
    """Raised for every failure to open a blob or a wrap: wrong key, tampering, wrong AAD.

    Callers treat it as "you cannot read this", never as a crash.
    """


def aad(*parts: object) -> bytes:
    """Explicit, versioned associated data, e.g. aad("entry", eid, "owner", uid, "kv", 1)."""
    return "|".join([PROTOCOL, *(str(p) for p in parts)]).encode()


def random_key() -> bytes:
    return secrets.token_bytes(KEY_LEN)


def hkdf(ikm: bytes, info: str, salt: bytes | None = None, length: int = KEY_LEN) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt,
                info=f"{PROTOCOL}|{info}".encode()).derive(ikm)


def unwrapped(key: bytes) -> bytes:
    """An unwrapped content key, refused unless it has the one length keys have."""
    if len(key) != KEY_LEN:
        raise CryptoError("wrapped key has the wrong length")
    return key


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64d(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise CryptoError("bad encoding") from exc

"""Identity keys and HPKE (RFC 9180): encrypting to a reader's public key, wrapping a content key
to it, and the fingerprint people compare. One of the three modules that call `cryptography`
(see keyring.py)."""
from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from domain.core.primitives import HPKE_V2, HPKE_VERSION, CryptoError, aad, unwrapped

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


def new_identity() -> tuple[bytes, bytes]:
    """(private, public) raw X25519 bytes."""
    sk = X25519PrivateKey.generate()
    raw = sk.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                           serialization.NoEncryption())
    return raw, sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def hpke_seal(public_key: bytes, plaintext: bytes, info: bytes) -> bytes:
    """Encrypt to someone's public key (RFC 9180 base mode); `info` binds it to its purpose."""
    try:
        pk = X25519PublicKey.from_public_bytes(public_key)
    except ValueError as exc:
        raise CryptoError("bad public key") from exc
    return bytes([HPKE_VERSION]) + _SUITE.encrypt(plaintext, pk, info=info)


def hpke_open(private_key: bytes, sealed_blob: bytes, info: bytes) -> bytes:
    """Open HPKE v2 (version byte first) or v1 (no prefix). A v1 message starts with a random
    byte, which is 0x02 one time in 256: then the v2 reading fails its tag and v1 is tried."""
    try:
        sk = X25519PrivateKey.from_private_bytes(private_key)
    except ValueError as exc:
        raise CryptoError("cannot open HPKE message") from exc
    candidates = [sealed_blob[1:], sealed_blob] if sealed_blob[:1] == bytes([HPKE_V2]) else [sealed_blob]
    for candidate in candidates:
        try:
            return _SUITE.decrypt(candidate, sk, info=info)
        except (InvalidTag, ValueError):
            continue
    raise CryptoError("cannot open HPKE message")


def hpke_wrap(public_key: bytes, key: bytes, info: bytes) -> bytes:
    """Wrap a content key to a reader's public key; `info` binds it to the share."""
    return hpke_seal(public_key, key, info)


def hpke_unwrap(private_key: bytes, wrapped: bytes, info: bytes) -> bytes:
    return unwrapped(hpke_open(private_key, wrapped, info))


def fingerprint(public_key: bytes) -> str:
    """A short, comparable fingerprint: 16 bytes of SHA-256 as 8 groups of 4 hex digits."""
    h = hashlib.sha256(aad("fingerprint") + public_key).hexdigest()[:32].upper()
    return " ".join(h[i:i + 4] for i in range(0, 32, 4))

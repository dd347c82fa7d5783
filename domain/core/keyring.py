"""The key hierarchy: derive, wrap, unwrap, seal, open. Callers import this module only.

It is split by what it does, and re-exports the parts so `keyring.<name>` stays the one way in:
  keyring.py         symmetric blobs, wraps, per-purpose subkeys, server-side secrets, passkeys
  primitives.py      format constants, CryptoError, AAD, HKDF, random keys, base64
  kdf.py             argon2id parameters, password derivation, verifier digests
  recovery_codes.py  recovery codes: make, normalise, derive
  public_keys.py     identity keys, HPKE wraps, fingerprints
Only keyring.py, primitives.py and public_keys.py call `cryptography` (tests/test_imports.py
holds that rule); nothing else in the application does.

Shape (see docs/ARCHITECTURE.md, "Key hierarchy"):

    password --argon2id--> master --HKDF--> login verifier (stored only as SHA-256)
                                      \\--> key-encryption key (never stored)
    recovery code --HKDF--> recovery verifier (stored as SHA-256) + recovery KEK
    user key (32 random bytes) wrapped by the password KEK and by the recovery KEK
    identity X25519 private key, entry/process keys: sealed under the user key
    sharing: entry key wrapped to a reader's public key with HPKE (RFC 9180)

Every ciphertext is a *blob*: version byte | 12-byte random nonce | 32-byte key commitment | AES-GCM
ciphertext+tag. The commitment is HMAC-SHA256 over nonce and AAD under a subkey derived from the
content key: AES-GCM alone does not commit to its key, so without it two holders of different keys
could be shown different plaintexts from one blob. It is checked before decryption.
AAD strings are explicit and versioned (`aad(...)`), so a blob copied to another row fails to open.

Formats and versions (the rule: a changed format gets a new version; every old version stays
readable; writing always produces the newest, so rows upgrade when they are next written):
  blob/wrap v1  commitment subkey from full HKDF (the first release) OR from the single HMAC below
                (a later release changed the derivation without a new version; both are accepted)
  blob/wrap v2  commitment subkey = HKDF-Expand(key, "fokus/v1|commit") as one HMAC   <- written
  blob/wrap v3  reserved (per-purpose subkeys)
  HPKE v1       RFC 9180 enc||ct with no prefix byte (the first release)
  HPKE v2       0x02 | enc||ct                                                       <- written
Golden vectors in tests/vectors/ must open forever.
"""
from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.core import observability
from domain.core.kdf import OWASP_FLOOR, KdfParams, derive_password, digest, new_salt, verify
from domain.core.primitives import (
    BLOB_V1,
    BLOB_V2,
    BLOB_VERSION,
    COMMIT_LEN,
    HPKE_V2,
    HPKE_VERSION,
    KEY_LEN,
    NONCE_LEN,
    PROTOCOL,
    CryptoError,
    aad,
    b64d,
    b64e,
    hkdf,
    random_key,
    unwrapped,
)
from domain.core.public_keys import fingerprint, hpke_open, hpke_seal, hpke_unwrap, hpke_wrap, new_identity
from domain.core.recovery_codes import (
    RECOVERY_CHARS,
    derive_recovery,
    new_recovery_code,
    normalize_group,
    normalize_recovery_code,
)

# The names callers reach as `keyring.<name>`, wherever they are defined.
__all__ = [
    "BLOB_V1", "BLOB_V2", "BLOB_VERSION", "COMMIT_LEN", "HPKE_V2", "HPKE_VERSION", "KEY_LEN", "NONCE_LEN",
    "OWASP_FLOOR", "PRF_LEN", "PROTOCOL", "PURPOSE_MARKER", "RECOVERY_CHARS", "CryptoError", "KdfParams",
    "aad", "b64d", "b64e", "blind_index", "commits_to", "derive_password", "derive_recovery", "digest",
    "fingerprint", "hkdf", "hpke_open", "hpke_seal", "hpke_unwrap", "hpke_wrap", "new_identity",
    "new_recovery_code", "new_salt", "normalize_group", "normalize_recovery_code", "open_blob",
    "open_for", "passkey_aad", "passkey_kek", "purpose_key", "random_key", "seal", "seal_for", "session_seal_key",
    "slow_hash", "unwrap_by_passkey", "unwrap_for", "unwrap_key", "verify", "wrap_for",
    "wrap_for_passkey", "wrap_key",
]

_HEADER = 1 + NONCE_LEN + COMMIT_LEN


# --- symmetric blobs --------------------------------------------------------------------------

def _commitment(key: bytes, nonce: bytes, ad: bytes) -> bytes:
    # The commitment subkey is HKDF-Expand(PRK=key, info="fokus/v1|commit"), written out as the
    # single HMAC it is (RFC 5869 T(1)): content keys are uniformly random, so no Extract step is
    # needed, and listing thousands of entries opens thousands of blobs per request.
    ck = hmac.new(key, f"{PROTOCOL}|commit".encode() + b"\x01", hashlib.sha256).digest()
    return hmac.new(ck, nonce + ad, hashlib.sha256).digest()


def _commitment_hkdf(key: bytes, nonce: bytes, ad: bytes) -> bytes:
    """The first release's derivation (full HKDF: Extract, then Expand); found in v1 blobs only."""
    return hmac.new(hkdf(key, "commit"), nonce + ad, hashlib.sha256).digest()


# Which commitment derivations each blob version may carry, tried in order (newest first).
_COMMITMENTS = {BLOB_V1: (_commitment, _commitment_hkdf), BLOB_V2: (_commitment,)}


def _commitment_ok(version: int, key: bytes, nonce: bytes, ad: bytes, commit: bytes) -> bool:
    return any(hmac.compare_digest(commit, derive(key, nonce, ad)) for derive in _COMMITMENTS[version])


def seal(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """Encrypt under `key` with a fresh 96-bit random nonce, bound to `ad`, committing to `key`."""
    if len(key) != KEY_LEN:
        raise CryptoError("key must be 32 bytes")
    nonce = os.urandom(NONCE_LEN)
    ct = AESGCM(key).encrypt(nonce, plaintext, ad)
    return bytes([BLOB_VERSION]) + nonce + _commitment(key, nonce, ad) + ct


def open_blob(key: bytes, blob: bytes, ad: bytes) -> bytes:
    """Check the key commitment, then decrypt. Any failure raises CryptoError."""
    if len(key) != KEY_LEN or len(blob) < _HEADER + 16 or blob[0] not in _COMMITMENTS:
        raise CryptoError("malformed blob")
    nonce, commit, ct = blob[1:1 + NONCE_LEN], blob[1 + NONCE_LEN:_HEADER], blob[_HEADER:]
    if not _commitment_ok(blob[0], key, nonce, ad, commit):
        observability.count_decryption_failure()
        raise CryptoError("key commitment mismatch")
    try:
        return AESGCM(key).decrypt(nonce, ct, ad)
    except InvalidTag as exc:
        observability.count_decryption_failure()
        raise CryptoError("authentication failed") from exc


def commits_to(key: bytes, blob: bytes, ad: bytes) -> bool:
    """Whether `blob` was sealed under `key` (its commitment matches), without decrypting: a
    cheap check that a key read earlier is still the row's current key."""
    if len(key) != KEY_LEN or len(blob) < _HEADER + 16 or blob[0] not in _COMMITMENTS:
        return False
    return _commitment_ok(blob[0], key, blob[1:1 + NONCE_LEN], ad, blob[1 + NONCE_LEN:_HEADER])


def wrap_key(kek: bytes, key: bytes, ad: bytes) -> bytes:
    return seal(kek, key, ad)


def unwrap_key(kek: bytes, wrapped: bytes, ad: bytes) -> bytes:
    return unwrapped(open_blob(kek, wrapped, ad))


# --- server-side secrets ----------------------------------------------------------------------

def session_seal_key(server_secret: bytes, session_salt: bytes) -> bytes:
    """Per-session key: deleting the session row (and with it the salt) makes the cookie useless."""
    return hkdf(server_secret, "session-seal", salt=session_salt)


def blind_index(server_secret: bytes, value: str) -> bytes:
    """Keyed hash used to find an account by its login name without storing the name."""
    return hmac.new(hkdf(server_secret, "login-index"), value.encode(), hashlib.sha256).digest()


# --- per-purpose subkeys of a long-lived key (blob marker 3) -------------------------------------
# The user key used to encrypt many kinds of objects directly, kept apart only by AAD. New blobs
# are sealed under HKDF(user key, purpose) instead, and marked with one leading byte 3 in front of
# an ordinary blob. Blobs without the marker (versions 1 and 2) were sealed under the key itself
# and stay readable: read old, write new.

PURPOSE_MARKER = 3


def purpose_key(key: bytes, purpose: str) -> bytes:
    """HKDF-Expand(PRK=key, info="fokus/v1|subkey|<purpose>") written out as the single HMAC it is
    (RFC 5869 T(1)), like the commitment key: the user key is uniformly random, so no Extract step
    is needed, and a journal list unwraps thousands of content keys per request."""
    return hmac.new(key, f"{PROTOCOL}|subkey|{purpose}".encode() + b"\x01", hashlib.sha256).digest()


def seal_for(key: bytes, purpose: str, plaintext: bytes, ad: bytes) -> bytes:
    """Seal under the `purpose` subkey of `key`."""
    return bytes([PURPOSE_MARKER]) + seal(purpose_key(key, purpose), plaintext, ad)


def open_for(key: bytes, purpose: str, blob: bytes, ad: bytes, legacy_ad: bytes | None = None) -> bytes:
    """Open a blob from seal_for, or an older one sealed under `key` itself (with `legacy_ad` when
    its AAD has since been made more specific)."""
    if blob[:1] == bytes([PURPOSE_MARKER]):
        return open_blob(purpose_key(key, purpose), blob[1:], ad)
    return open_blob(key, blob, ad if legacy_ad is None else legacy_ad)


def wrap_for(kek: bytes, purpose: str, key: bytes, ad: bytes) -> bytes:
    return seal_for(kek, purpose, key, ad)


def unwrap_for(kek: bytes, purpose: str, wrapped: bytes, ad: bytes) -> bytes:
    return unwrapped(open_for(kek, purpose, wrapped, ad))


def slow_hash(secret_text: str, salt: bytes, params: KdfParams) -> bytes:
    """argon2id for short secrets that are stored as hashes (backup codes): a database copy then
    costs a full derivation per guess."""
    return derive_password(secret_text, salt, params)[0]


# --- passkeys (WebAuthn PRF) --------------------------------------------------------------------
# Added for passkeys; nothing above changes. The PRF output is a 32-byte secret the authenticator
# computes from its own per-credential secret and our random salt; it reaches the server only in
# the login request, like a password, and is never stored.

PRF_LEN = 32


def passkey_kek(prf_output: bytes, user_id: str, credential_id: bytes) -> bytes:
    """Key-encryption key for one credential: HKDF over the PRF output, its purpose, the user and
    the credential named in `info`, so one credential's output can never open another's wrap."""
    if len(prf_output) != PRF_LEN:
        raise CryptoError("PRF output must be 32 bytes")
    return hkdf(prf_output, f"passkey-kek|user|{user_id}|credential|{b64e(credential_id)}")


def passkey_aad(user_id: str, credential_id: bytes, key_version: int) -> bytes:
    return aad("userkey", user_id, "passkey", b64e(credential_id), "kv", key_version)


def wrap_for_passkey(prf_output: bytes, user_id: str, credential_id: bytes, key_version: int,
                     user_key: bytes) -> bytes:
    return wrap_key(passkey_kek(prf_output, user_id, credential_id), user_key,
                    passkey_aad(user_id, credential_id, key_version))


def unwrap_by_passkey(prf_output: bytes, user_id: str, credential_id: bytes, key_version: int,
                      wrapped: bytes) -> bytes:
    return unwrap_key(passkey_kek(prf_output, user_id, credential_id), wrapped,
                      passkey_aad(user_id, credential_id, key_version))

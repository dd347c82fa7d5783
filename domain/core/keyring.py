"""The key hierarchy: derive, wrap, unwrap, seal, open. The only module that calls `cryptography`.

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

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.ops import observability

PROTOCOL = "fokus/v1"
BLOB_V1 = 1
BLOB_V2 = 2
BLOB_VERSION = BLOB_V2      # what seal() writes
HPKE_V2 = 2
HPKE_VERSION = HPKE_V2      # what hpke_seal() writes (v1 had no version byte)
KEY_LEN = 32
NONCE_LEN = 12
COMMIT_LEN = 32
_HEADER = 1 + NONCE_LEN + COMMIT_LEN

# OWASP's floor for argon2id. Parameters below it are never accepted for new derivations in
# production and are upgraded at the next login when found on a stored account.
OWASP_FLOOR = (19 * 1024, 2, 1)


class CryptoError(Exception):
    """Raised for every failure to open a blob or a wrap: wrong key, tampering, wrong AAD.

    Callers treat it as "you cannot read this", never as a crash.
    """


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    time_cost: int
    parallelism: int

    def below(self, other: KdfParams) -> bool:
        """True when any dimension is weaker than `other` (so an upgrade is due)."""
        return (self.memory_kib < other.memory_kib or self.time_cost < other.time_cost
                or self.parallelism < other.parallelism)


def aad(*parts: object) -> bytes:
    """Explicit, versioned associated data, e.g. aad("entry", eid, "owner", uid, "kv", 1)."""
    return "|".join([PROTOCOL, *(str(p) for p in parts)]).encode()


def random_key() -> bytes:
    return secrets.token_bytes(KEY_LEN)


def hkdf(ikm: bytes, info: str, salt: bytes | None = None, length: int = KEY_LEN) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt,
                info=f"{PROTOCOL}|{info}".encode()).derive(ikm)


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
    key = open_blob(kek, wrapped, ad)
    if len(key) != KEY_LEN:
        raise CryptoError("wrapped key has the wrong length")
    return key


# --- password and recovery code ---------------------------------------------------------------

def new_salt() -> bytes:
    return secrets.token_bytes(16)


def derive_password(password: str, salt: bytes, params: KdfParams) -> tuple[bytes, bytes]:
    """argon2id, then HKDF into (login verifier, key-encryption key). Neither is stored as such."""
    master = hash_secret_raw(password.encode("utf-8"), salt, time_cost=params.time_cost,
                             memory_cost=params.memory_kib, parallelism=params.parallelism,
                             hash_len=KEY_LEN, type=Type.ID)
    return hkdf(master, "login-verifier"), hkdf(master, "password-kek")


def digest(verifier: bytes) -> bytes:
    """What the database keeps of a verifier: a hash, so a dump cannot be replayed as a login."""
    return hashlib.sha256(verifier).digest()


def verify(verifier: bytes, stored_digest: bytes) -> bool:
    return hmac.compare_digest(digest(verifier), stored_digest)


# Base32 without padding; 32 characters carry 160 random bits (DESIGN asks for at least 128).
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


# --- identity keys and HPKE -------------------------------------------------------------------

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
    key = hpke_open(private_key, wrapped, info)
    if len(key) != KEY_LEN:
        raise CryptoError("wrapped key has the wrong length")
    return key


def fingerprint(public_key: bytes) -> str:
    """A short, comparable fingerprint: 16 bytes of SHA-256 as 8 groups of 4 hex digits."""
    h = hashlib.sha256(aad("fingerprint") + public_key).hexdigest()[:32].upper()
    return " ".join(h[i:i + 4] for i in range(0, 32, 4))


# --- server-side secrets ----------------------------------------------------------------------

def session_seal_key(server_secret: bytes, session_salt: bytes) -> bytes:
    """Per-session key: deleting the session row (and with it the salt) makes the cookie useless."""
    return hkdf(server_secret, "session-seal", salt=session_salt)


def blind_index(server_secret: bytes, value: str) -> bytes:
    """Keyed hash used to find an account by its login name without storing the name."""
    return hmac.new(hkdf(server_secret, "login-index"), value.encode(), hashlib.sha256).digest()


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64d(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise CryptoError("bad encoding") from exc


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
    key = open_for(kek, purpose, wrapped, ad)
    if len(key) != KEY_LEN:
        raise CryptoError("wrapped key has the wrong length")
    return key


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

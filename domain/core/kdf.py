"""Passwords: argon2id parameters, the derivation into login verifier and key-encryption key, and
how a verifier is stored and checked. Calls argon2, not `cryptography` (see keyring.py)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

from domain.core.primitives import KEY_LEN, hkdf

# OWASP's floor for argon2id. Parameters below it are never accepted for new derivations in
# production and are upgraded at the next login when found on a stored account.
OWASP_FLOOR = (19 * 1024, 2, 1)


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    time_cost: int
    parallelism: int

    def below(self, other: KdfParams) -> bool:
        """True when any dimension is weaker than `other` (so an upgrade is due)."""
        return (self.memory_kib < other.memory_kib or self.time_cost < other.time_cost
                or self.parallelism < other.parallelism)


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

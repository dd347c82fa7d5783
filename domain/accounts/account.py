"""Accounts: sign-up, login, password change, recovery with the one-time recovery code.

Plaintext in, wrapped keys stored. The unwrapped user key is returned to the caller, which keeps it
only in the sealed session (see sessions.py).
"""
from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from domain.core import keyring, server_keys
from domain.core.db import db, new_id, release_if_unwritten, utcnow
from domain.core.keyring import KdfParams
from domain.core.models import ServerSetting, User
from domain.core.refusal import N_, Refusal

LOGIN_MIN, LOGIN_MAX = 3, 254
NAME_MAX = 80
PASSWORD_MIN, PASSWORD_MAX = 12, 256


LOGIN_TAKEN = N_("That login name is taken. Please choose another.")


class AccountError(Refusal):
    """A user-facing failure; the message (an N_ msgid) is safe to show, through blueprints.i18n.say."""


class KdfBusy(AccountError):
    """Too many password derivations at once; the caller answers 429/503 and asks to retry."""


@dataclass
class KdfPolicy:
    target: KdfParams       # what new and upgraded passwords use
    floor: KdfParams        # stored parameters below this are upgraded at login
    slots: threading.BoundedSemaphore

    @classmethod
    def make(cls, target: KdfParams, floor: KdfParams, concurrency: int) -> KdfPolicy:
        return cls(target, floor, threading.BoundedSemaphore(max(1, concurrency)))


def _strongest(*params: KdfParams) -> KdfParams:
    return KdfParams(max(p.memory_kib for p in params), max(p.time_cost for p in params),
                     max(p.parallelism for p in params))


def target_params(policy: KdfPolicy) -> KdfParams:
    """The configured target, raised further by `flask fokus raise-kdf` (stored in the database so
    every process sees it). Never lower than the configured value, nor than the floor: new and
    upgraded passwords must never be derived with parameters the floor would refuse."""
    row = db.session.get(ServerSetting, "argon2_target")
    if row is None:
        return _strongest(policy.target, policy.floor)
    return _strongest(policy.target, policy.floor, KdfParams(**json.loads(row.value)))


def raise_target(params: KdfParams) -> None:
    """Raise the stored target; a dimension asked lower than before keeps its earlier value."""
    row = db.session.get(ServerSetting, "argon2_target")
    if row is not None:
        params = _strongest(params, KdfParams(**json.loads(row.value)))
    db.session.merge(ServerSetting(key="argon2_target", value=json.dumps(params.__dict__)))


def _derive(policy: KdfPolicy, password: str, salt: bytes, params: KdfParams) -> tuple[bytes, bytes]:
    # argon2 at 64 MiB per call: an unbounded login flood would exhaust memory, so cap per process.
    release_if_unwritten()   # no database lock is held while argon2 runs
    if not policy.slots.acquire(timeout=15):
        raise KdfBusy(N_("The server is busy. Please try again in a moment."), status=503)
    try:
        return keyring.derive_password(password, salt, params)
    finally:
        policy.slots.release()


def normalize_login(login: str) -> str:
    return unicodedata.normalize("NFKC", login).strip().casefold()


def _find(secret: bytes, login: str) -> User | None:
    index = server_keys.login_index(secret, normalize_login(login))
    return db.session.scalar(select(User).where(User.login_index == index))


def login_taken(secret: bytes, login: str) -> bool:
    return _find(secret, login) is not None


def _params(user: User) -> KdfParams:
    return KdfParams(user.kdf_memory_kib, user.kdf_time_cost, user.kdf_parallelism)


def _set_password(policy: KdfPolicy, user: User, user_key: bytes, password: str) -> None:
    """(Re)wrap the user key under a new password: never re-encrypts content."""
    user.kdf_salt = keyring.new_salt()
    params = target_params(policy)
    user.kdf_memory_kib, user.kdf_time_cost, user.kdf_parallelism = (
        params.memory_kib, params.time_cost, params.parallelism)
    verifier, kek = _derive(policy, password, user.kdf_salt, params)
    user.verifier_digest = keyring.digest(verifier)
    user.uk_by_password = keyring.wrap_key(kek, user_key, keyring.aad("userkey", user.id, "password",
                                                                      "kv", user.key_version))
    user.password_changed_at = utcnow()


def _set_recovery(user: User, user_key: bytes) -> str:
    code = keyring.new_recovery_code()
    verifier, kek = keyring.derive_recovery(keyring.normalize_recovery_code(code) or "", user.id)
    user.recovery_digest = keyring.digest(verifier)
    user.uk_by_recovery = keyring.wrap_key(kek, user_key, keyring.aad("userkey", user.id, "recovery",
                                                                      "kv", user.key_version))
    return code


def create_account(policy: KdfPolicy, secret: bytes, login: str, display_name: str,
                   password: str) -> tuple[User, bytes, str]:
    """Returns (user, user key, recovery code). The caller shows the code once and forgets it."""
    if login_taken(secret, login):
        raise AccountError(LOGIN_TAKEN)
    user = User(id=new_id(), login_index=server_keys.login_index(secret, normalize_login(login)),
                key_version=1)
    user_key = keyring.random_key()
    private, public = keyring.new_identity()
    user.public_key = public
    user.private_key_sealed = keyring.seal_for(user_key, "identity", private, keyring.aad("identity", user.id, "kv", 1))
    _set_password(policy, user, user_key, password)
    code = _set_recovery(user, user_key)
    write_profile(user, user_key, {"display_name": display_name})
    # The check above ran before the (slow) derivation: the same name signed up at the same moment
    # shows up here, on the unique index, and gets the same answer.
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        raise AccountError(LOGIN_TAKEN) from None
    return user, user_key, code


def authenticate(policy: KdfPolicy, secret: bytes, login: str, password: str) -> tuple[User, bytes] | None:
    """Verify a password. Unknown accounts cost one full derivation too, so timing says nothing."""
    user = _find(secret, login)
    if user is None:
        _derive(policy, password, b"\0" * 16, target_params(policy))
        return None
    user_key = authenticate_user(policy, user, password)
    if user_key is None:
        return None
    stored = _params(user)
    if stored.below(target_params(policy)) or stored.below(policy.floor):
        # Raised parameters (CLI) or a weak stored setting: re-wrap now, while we know the password.
        _set_password(policy, user, user_key, password)
    return user, user_key


def change_password(policy: KdfPolicy, user: User, current: str, new: str) -> bytes:
    verified = authenticate_user(policy, user, current)
    if verified is None:
        raise AccountError(N_("The current password is not right."))
    _set_password(policy, user, verified, new)
    return verified


def authenticate_user(policy: KdfPolicy, user: User, password: str) -> bytes | None:
    """Check a password for a known user (re-authentication); returns the user key or None."""
    verifier, kek = _derive(policy, password, user.kdf_salt, _params(user))
    if not keyring.verify(verifier, user.verifier_digest):
        return None
    return keyring.unwrap_key(kek, user.uk_by_password,
                              keyring.aad("userkey", user.id, "password", "kv", user.key_version))


def recover(policy: KdfPolicy, secret: bytes, login: str, code: str,
            new_password: str) -> tuple[User, bytes, str] | None:
    """Forgot password: the recovery code unwraps the user key; a new password and a new code
    replace the old ones, so the old code works exactly once. Nothing is re-encrypted or lost."""
    normalized = keyring.normalize_recovery_code(code)
    user = _find(secret, login)
    if user is None or normalized is None:
        return None
    verifier, kek = keyring.derive_recovery(normalized, user.id)
    if not keyring.verify(verifier, user.recovery_digest):
        return None
    user_key = keyring.unwrap_key(kek, user.uk_by_recovery,
                                  keyring.aad("userkey", user.id, "recovery", "kv", user.key_version))
    _set_password(policy, user, user_key, new_password)
    new_code = _set_recovery(user, user_key)
    return user, user_key, new_code


def new_recovery_code(user: User, user_key: bytes) -> str:
    """Replace the recovery code (settings page); the old one stops working."""
    return _set_recovery(user, user_key)


def _profile_aad(user: User) -> bytes:
    return keyring.aad("profile", user.id, "kv", user.key_version)


def read_profile(user: User, user_key: bytes) -> dict:
    # Older profiles were sealed under the user key itself; new ones under its "profile" subkey.
    return json.loads(keyring.open_for(user_key, "profile", user.profile_sealed, _profile_aad(user)))


def write_profile(user: User, user_key: bytes, profile: dict) -> None:
    user.profile_sealed = keyring.seal_for(user_key, "profile", json.dumps(profile).encode(), _profile_aad(user))


def private_key(user: User, user_key: bytes) -> bytes:
    return keyring.open_for(user_key, "identity", user.private_key_sealed,
                            keyring.aad("identity", user.id, "kv", user.key_version))

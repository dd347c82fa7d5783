"""Accounts: the user row with its wrapped keys, login sessions, the step before the second
factor, and passkeys."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db, new_id, utcnow


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # Keyed hash of the normalised login name: lets us find the account, reveals nothing on its own.
    login_index: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the user proved they saved the current recovery code; None means show a new one.
    recovery_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    # argon2id parameters are stored per user so they can be raised later (upgrade at next login).
    kdf_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    kdf_memory_kib: Mapped[int] = mapped_column(Integer)
    kdf_time_cost: Mapped[int] = mapped_column(Integer)
    kdf_parallelism: Mapped[int] = mapped_column(Integer)
    verifier_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    recovery_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    # The user key, wrapped twice; never stored unwrapped.
    uk_by_password: Mapped[bytes] = mapped_column(LargeBinary)
    uk_by_recovery: Mapped[bytes] = mapped_column(LargeBinary)
    # Identity keypair for sharing: public in clear (it is public), private sealed by the user key.
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    private_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Display name and other profile fields, sealed by the user key.
    profile_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Two-factor login: the TOTP secret is sealed under the user key, so it can only be checked
    # after the password has unwrapped that key; backup codes are stored as keyed hashes.
    totp_enabled: Mapped[bool] = mapped_column(default=False)
    totp_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)
    backup_codes: Mapped[str | None] = mapped_column(String(1000), default=None)
    # The sealed journal index (domain/journal/index.py): `journal_version` counts entry writes and
    # tells every worker when its cached copy is old; the index is complete when the two are equal.
    journal_version: Mapped[int] = mapped_column(Integer, default=0)
    journal_indexed: Mapped[int] = mapped_column(Integer, default=0)


class UserSession(db.Model):
    """Server-side half of a login. The cookie holds the token and the sealed user key; this row
    holds the salt of the key that seals it. Deleting the row makes the cookie useless."""

    __tablename__ = "user_sessions"

    # SHA-256 of the cookie token, so a database reader cannot present a session.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the password was last typed in this session (sensitive actions need it recent).
    fresh_at: Mapped[datetime] = mapped_column(default=utcnow)
    device: Mapped[str] = mapped_column(String(80), default="")


class LoginStep(db.Model):
    """The step between a right password and the second factor, for accounts with 2FA on.

    The browser holds a random token; this row holds its SHA-256 and the user key sealed under a
    key derived from the token. Neither half alone opens the key, the server secret plays no part,
    and deleting the row (success, logout, expiry, too many wrong codes) kills the cookie."""

    __tablename__ = "login_steps"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sealed_key: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[datetime] = mapped_column()
    failures: Mapped[int] = mapped_column(Integer, default=0)


class Passkey(db.Model):
    """A WebAuthn credential of one user. The public key and counter are needed to check a login;
    the name the user gave it is sealed under their user key. When the authenticator has the PRF
    extension, `uk_by_prf` is the user key wrapped under a key derived from the PRF output (which
    is never stored); `prf_salt` is the random PRF input for this credential."""

    __tablename__ = "passkeys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    prf_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    uk_by_prf: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class PasskeyChallenge(db.Model):
    """A WebAuthn challenge waiting for its answer: single use (deleted when answered), short-lived.
    `user_id` is set for registration and for a login limited to known credentials."""

    __tablename__ = "passkey_challenges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(12))  # register | login
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), default=None)
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64))
    # Registration only: the PRF input offered to the new credential, kept with it if it is saved.
    prf_salt: Mapped[bytes | None] = mapped_column(LargeBinary(32), default=None)
    expires_at: Mapped[datetime] = mapped_column(index=True)

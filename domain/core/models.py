"""Tables. Clear columns are limited to ids, owners, timestamps, key versions and key material that
is itself wrapped; everything a user wrote or chose lives in a sealed blob (see keyring.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
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


class ServerSetting(db.Model):
    """Small operator settings changed from the CLI (e.g. a raised argon2 target), shared by
    every app process through the database."""

    __tablename__ = "server_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(400))


class SealedMixin:
    """A row whose content is one sealed JSON blob under its own content key; the content key is
    wrapped under the owner's user key. Clear: ids, owner, timestamps, key version."""

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    # Counts writes of the content (edits and key rotations): a save names the version its form
    # was opened with and is refused if the row has moved on (domain.versions).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Entry(SealedMixin, db.Model):
    """A journal entry of any kind; kind, themes and status (draft or saved) are inside `content`."""

    __tablename__ = "entries"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Set when a reader lost access without the owner present (contact removed, share expired):
    # the owner's next visit rotates the entry key (sharing.sweep).
    needs_rotation: Mapped[bool] = mapped_column(default=False)


class Process(SealedMixin, db.Model):
    """A guidance process (a dyad under a pseudonymous code); everything about it is sealed."""

    __tablename__ = "processes"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Invitation(db.Model):
    """A single-use link to become someone's contact. The server keeps only a hash of the link's
    token; the inviter's display name is sealed under a key derived from the token, so only the
    person holding the link can read who invited them."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    inviter_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class ContactLink(db.Model):
    """One side of a contact: what `holder` knows about `other`. Two rows per contact.

    `role` is the other person's role for the holder as chosen by the inviter ("peer" or
    "supervisor"; "client" on the invitee's side means "the inviter shares with me").
    `pinned_key` is the other's public key as confirmed; sharing refuses when it no longer matches.
    `sealed` (under the holder's user key) holds the other's display name; `mailbox` holds news for
    the holder sealed to their public key (HPKE) until their next visit folds it into `sealed`."""

    __tablename__ = "contact_links"
    __table_args__ = (UniqueConstraint("holder_id", "other_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    holder_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    inviter: Mapped[bool] = mapped_column(default=False)
    pinned_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    mailbox: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Share(db.Model):
    """An entry shared with one reader: the entry key wrapped to the reader's public key (HPKE).
    Revoking deletes the wrap and rotates the entry key (see sharing.revoke)."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reader_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    question: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    reflected_at: Mapped[datetime | None] = mapped_column(default=None)
    owner_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    reader_seen_at: Mapped[datetime | None] = mapped_column(default=None)


class ThreadItem(db.Model):
    """A structured reflection or a reply in one share's thread, sealed under the entry key so the
    owner and that reader can read it and a revoke's key rotation re-encrypts it."""

    __tablename__ = "thread_items"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))          # reflection | reply
    draft: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    key_version: Mapped[int] = mapped_column(Integer, default=1)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class AccessEvent(db.Model):
    """Who opened a shared entry or its thread, and when: ids and times, never content."""

    __tablename__ = "access_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Group(db.Model):
    """A seminar group. Its name is sealed under the group key, which members hold."""

    __tablename__ = "seminar_groups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    k: Mapped[int] = mapped_column(Integer, default=5)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class GroupMember(db.Model):
    """Membership. Whether a member contributes is known only to them (`state_sealed` is under
    their user key); `pseudonym_sealed` (under a server-derived key) lets a lead's removal purge
    the member's facts without the database alone linking facts to accounts."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))  # lead | member
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    group_key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    name_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    state_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    pseudonym_sealed: Mapped[bytes] = mapped_column(LargeBinary)


class GroupInvite(db.Model):
    """A join link (single- or multi-use, with expiry). The group key travels sealed under a key
    derived from the link's token; the server keeps only the token's hash."""

    __tablename__ = "group_invites"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    multi_use: Mapped[bool] = mapped_column(default=False)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked: Mapped[bool] = mapped_column(default=False)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class TrendFact(db.Model):
    """One non-identifying fact a consenting member contributes to a group: month and catalogue
    ids only, under a per-group pseudonym derived from the member's user key. No timestamps, no
    text, no serial ids (row order would hint at who wrote when)."""

    __tablename__ = "trend_facts"
    # Covering index: group trends are answered from the index alone (an index-only scan on
    # PostgreSQL), which keeps a million-row group fast. SQLite ignores INCLUDE.
    # WITHOUT ROWID: SQLite stores rows in primary-key order (random ids), not in insertion order.
    __table_args__ = (Index("ix_trend_facts_group_month", "group_id", "month",
                            postgresql_include=["pseudonym", "kind", "theme", "subtheme", "band", "outcome"]),
                      {"sqlite_with_rowid": False})

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(String(64), index=True)
    entry_tag: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(24))
    theme: Mapped[str | None] = mapped_column(String(40), default=None)
    subtheme: Mapped[str | None] = mapped_column(String(80), default=None)
    band: Mapped[str | None] = mapped_column(String(8), default=None)
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)


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


class AuthFailure(db.Model):
    """One failed check of a password, recovery code or second factor, counted per scope (a keyed
    hash of the account, of the address, of the pair, or of a trusted device). No names, no
    addresses in clear; rows older than a day are swept."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_scope_at", "scope", "at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    scope: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class TrustedDevice(db.Model):
    """A browser that completed a login to an account before (its long-lived cookie holds a random
    token, this row its hash). Failures from elsewhere do not slow it down."""

    __tablename__ = "trusted_devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
class JournalIndexPage(db.Model):
    """Up to 200 compact records of one user's entries (kind, day, themes, headline...), sealed
    under a key derived from the user key, with the searchable text sealed beside them. Clear:
    owner, page number, a revision counter and the creation time of the page's oldest entry
    (already clear on the entries table)."""

    __tablename__ = "journal_index"

    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    page_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rev: Mapped[int] = mapped_column(Integer, default=0)
    first_created: Mapped[datetime] = mapped_column()
    records: Mapped[bytes] = mapped_column(LargeBinary)
    search: Mapped[bytes] = mapped_column(LargeBinary)


class TrendRollup(db.Model):
    """Group trend facts counted per (group, month, cell, pseudonym), kept in step with
    trend_facts on every write (trend_store.py), so a group's table for 24 months reads thousands
    of rows instead of a million. Holds nothing trend_facts does not already hold. `tbl` is ""
    for facts outside the tables (process facts, which still count as a contributor)."""

    __tablename__ = "trend_rollup"

    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    tbl: Mapped[str] = mapped_column(String(12), primary_key=True)
    cell: Mapped[str] = mapped_column(String(80), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TrendCell(db.Model):
    """Per group, month and cell: the number of facts and of distinct contributors (from
    trend_rollup, kept on write). What a group table shows, before suppression."""

    __tablename__ = "trend_cells"

    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    tbl: Mapped[str] = mapped_column(String(12), primary_key=True)
    cell: Mapped[str] = mapped_column(String(80), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)


class TrendPresence(db.Model):
    """Per group, month and table: which pseudonyms have any fact there (and in how many cells),
    for the distinct-contributor counts of columns, tables and the period."""

    __tablename__ = "trend_presence"

    group_id: Mapped[str] = mapped_column(ForeignKey("seminar_groups.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    tbl: Mapped[str] = mapped_column(String(12), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    cells: Mapped[int] = mapped_column(Integer, default=0)


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

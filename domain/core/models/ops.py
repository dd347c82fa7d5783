"""Operations: operator settings shared by every process, and the failure counts and trusted
devices that slow down guessing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.core.db import db, new_id, utcnow


class ServerSetting(db.Model):
    """Small operator settings changed from the CLI (e.g. a raised argon2 target), shared by
    every app process through the database."""

    __tablename__ = "server_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(400))


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

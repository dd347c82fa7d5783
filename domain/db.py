"""Database handle and declarative base (SQLAlchemy 2.0 typed models through Flask-SQLAlchemy).

Flask-SQLAlchemy gives one scoped session per request and lets Flask-Migrate find the metadata;
the models themselves are plain SQLAlchemy 2.0 `Mapped[]` classes.
"""
from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


def new_id() -> str:
    """Random 128-bit ids: created before encryption (the AAD needs them) and reveal no counts."""
    return secrets.token_hex(16)


def utcnow() -> datetime:
    """Naive UTC, so SQLite and PostgreSQL round-trip the same value."""
    return datetime.now(UTC).replace(tzinfo=None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    # Freed pages are overwritten with zeros: deleted rows (an erased account) leave no residue.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def _private_sqlite_files(database: str | None) -> None:
    """The database file, and so its WAL and SHM (SQLite gives them the database file's mode), are
    readable by the owner only: created 0600 before SQLite first opens them, tightened if older."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if p.exists() and p.stat().st_mode & 0o077:
            os.chmod(p, 0o600)


def init_engine_events(engine: Engine) -> None:
    """Turn on foreign keys and WAL for SQLite connections (PostgreSQL needs nothing); keep the
    SQLite files private."""
    if engine.dialect.name == "sqlite":
        _private_sqlite_files(engine.url.database)
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)

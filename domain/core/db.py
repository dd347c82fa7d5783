"""Database handle and declarative base (SQLAlchemy 2.0 typed models through Flask-SQLAlchemy).

Flask-SQLAlchemy gives one scoped session per request and lets Flask-Migrate find the metadata;
the models themselves are plain SQLAlchemy 2.0 `Mapped[]` classes.
"""
from __future__ import annotations

import os
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, bindparam, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

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


def id_ok(candidate: str | None) -> bool:
    """A form-chosen id (new_id) as a browser sent it back: 32 hex digits."""
    return bool(candidate) and len(candidate) == 32 and all(c in _HEX for c in candidate)


_HEX = frozenset("0123456789abcdef")


def utcnow() -> datetime:
    """Naive UTC, so SQLite and PostgreSQL round-trip the same value."""
    return datetime.now(UTC).replace(tzinfo=None)


# --- transactions --------------------------------------------------------------------------------
# A request's reads and writes are one transaction, so a save compares and writes what it read.
# PostgreSQL does this by itself (and `for_update` locks the row being changed). The pysqlite
# driver does not: by default it runs SELECTs outside any transaction and opens one only at the
# first write. We follow SQLAlchemy's documented pysqlite recipe instead: the driver does no
# transaction handling (isolation_level=None) and we emit BEGIN ourselves on SQLAlchemy's "begin".
# Requests that may write (any method but GET/HEAD/OPTIONS) begin IMMEDIATE: they take SQLite's
# single write lock before their first read, so two workers' read-modify-write cycles run one
# after the other (busy_timeout makes the second wait) instead of the later one failing or
# overwriting. Reads stay deferred, so a page view never waits for the write lock.

_writes: ContextVar[bool] = ContextVar("fokus_db_writes", default=False)


def begin_writes(writes: bool = True) -> None:
    """Declare whether the transactions that begin from now on in this context will write
    (called by a request hook; only SQLite looks at it)."""
    _writes.set(writes)


def _sqlite_begin(conn) -> None:
    immediate = _writes.get()
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    conn.info["fokus_immediate"] = immediate


def holds_database() -> bool:
    """Whether the session's transaction is a SQLite one that began IMMEDIATE: it holds the write
    lock, so no other connection can insert or change anything until it ends."""
    s = db.session()
    if not s.in_transaction():
        return False
    conn = s.connection()
    return conn.dialect.name == "sqlite" and bool(conn.info.get("fokus_immediate"))


def core_read(stmt, params: dict | None = None):
    """Run a Core SELECT of plain columns on the session's connection, in its transaction. The
    ORM's handling of a statement costs about as much as a small query itself, and a page runs
    several on every view (docs/ARCHITECTURE.md, "Journal index and speed"). Pending ORM changes
    are flushed first, as autoflush would."""
    s = db.session()
    if s.new or s.dirty or s.deleted:
        s.flush()
    return s.connection().execute(stmt, params or {})


def for_update(stmt):
    """`stmt` locking the rows it reads until commit: SELECT ... FOR UPDATE on PostgreSQL. SQLite
    renders no clause (it has no row locks); there the IMMEDIATE transaction holds the database."""
    return stmt.with_for_update()


_LOCKING: dict[type, object] = {}


def get_for_update(model, obj_id: str):
    """The row with this primary key, read inside the current transaction and locked for it.
    populate_existing: a copy this session read earlier (before the lock) is refreshed, so callers
    compare and unwrap keys from what the row holds now. The statement is built once per model:
    every save runs it, and building it cost more than running it."""
    stmt = _LOCKING.get(model)
    if stmt is None:
        stmt = _LOCKING[model] = for_update(select(model).where(model.id == bindparam("obj_id"))) \
            .execution_options(populate_existing=True)
    return db.session.scalar(stmt, {"obj_id": obj_id})


def release_if_unwritten() -> None:
    """End the current transaction early if it has written nothing yet. Called before slow work
    that needs no lock (a password derivation): a write request on SQLite holds the database from
    its first read, and nobody else's save should wait behind argon2. The next statement begins
    a fresh transaction."""
    s = db.session()
    if s.in_transaction() and not (s.new or s.dirty or s.deleted) and not s.info.get("flushed"):
        # Nothing was written, so what was read stays as read (no reload of every object).
        s.expire_on_commit = False
        try:
            s.commit()
        finally:
            s.expire_on_commit = True


@event.listens_for(Session, "after_flush")
def _note_flush(session, _ctx) -> None:
    session.info["flushed"] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_flush(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop("flushed", None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The driver must not open or commit transactions by itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
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
    """SQLite: foreign keys, WAL, a busy timeout, and our own BEGIN (PostgreSQL needs nothing); keep
    the SQLite files private."""
    if engine.dialect.name == "sqlite":
        _private_sqlite_files(engine.url.database)
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)

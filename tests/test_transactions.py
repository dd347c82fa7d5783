"""A request's reads and writes are one transaction; requests that may write hold the database
(SQLite: BEGIN IMMEDIATE) or the rows they change (PostgreSQL: SELECT ... FOR UPDATE) from
their first read, so two workers' read-modify-write cycles run one after the other."""
from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from domain.core.db import begin_writes, db, get_for_update, holds_database
from domain.core.models import User


def _sqlite_write_lock_free(app) -> bool:
    """Can another connection take SQLite's write lock right now (without waiting)?"""
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


@pytest.fixture
def probe(app):
    """A test-only route that reads once and reports whether the write lock is held meanwhile."""
    seen = {}

    def _probe():
        db.session.execute(select(User.id).limit(1)).all()
        seen["holds"] = holds_database()
        seen["free"] = _sqlite_write_lock_free(app)
        db.session.rollback()
        return "ok"
    app.add_url_rule("/_probe", "probe", _probe, methods=["GET", "POST"])
    return seen


def test_sqlite_writes_begin_immediate_and_reads_stay_deferred(app, client, probe):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite transaction modes (PostgreSQL: see the FOR UPDATE test)")
    client.get("/_probe")
    assert probe["free"] is True, "a page view must not take the write lock"
    client.post("/_probe")
    assert probe["free"] is False, "a write request must hold the write lock from its first read"
    client.get("/_probe")
    assert probe["free"] is True, "the write mode must not leak into the next request"


def test_holds_database_says_yes_only_under_sqlites_write_lock(app, client, probe):
    """Creates skip their savepoint when holds_database() (domain/journal/owned.py): it must never
    say yes where another request could insert meanwhile."""
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    client.get("/_probe")
    assert probe["holds"] is False
    client.post("/_probe")
    assert probe["holds"] is sqlite and (probe["free"] is False or not sqlite)


def test_for_update_locks_the_row_on_postgresql(app, user):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row locks are PostgreSQL's; SQLite holds the whole database instead")
        uid = db.session.scalar(select(User.id))
        begin_writes(True)
        assert get_for_update(User, uid) is not None
        other = create_engine(db.engine.url)
        try:
            with other.connect() as conn, pytest.raises(OperationalError):
                conn.execute(text('SELECT id FROM users WHERE id = :id FOR UPDATE NOWAIT'), {"id": uid})
        finally:
            db.session.rollback()
            begin_writes(False)
            other.dispose()

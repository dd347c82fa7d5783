"""Review finding 9: the stored order of trend_facts does not follow insertion order, on SQLite
(WITHOUT ROWID, random keys) and PostgreSQL (each write moves a random sample and shuffles)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.accounts import account as accounts
from domain.core.db import db
from domain.core.models import TrendFact
from domain.groups import membership as groups
from domain.trends import fact_order
from tests.conftest import PASSWORD


@pytest.fixture
def group_id(app):
    with app.app_context():
        from blueprints import guards
        user, key, _code = accounts.create_account(guards.kdf_policy(), guards.server_secret(), "lead", "Lead",
                                                   PASSWORD)
        db.session.flush()
        gid = groups.create(user, key, "Group", 5, guards.server_secret()).id
        db.session.commit()
        yield gid


def _stored_tags() -> list[str]:
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT entry_tag FROM trend_facts ORDER BY ctid"  # the physical order of the heap
    else:
        sql = "SELECT * FROM trend_facts"  # a full scan: the table's own storage order
    return [r.entry_tag for r in db.session.execute(text(sql))]


def test_trend_facts_are_not_stored_in_insertion_order(app, group_id):
    inserted = [f"tag{n:04d}" for n in range(40)]
    with app.app_context():
        for tag in inserted:  # one write per entry, the way the journal hook adds them
            fact_order.add_facts([TrendFact(group_id=group_id, pseudonym="p" * 16, entry_tag=tag, month="2026-01",
                                            kind="hard_session")])
            db.session.commit()
        stored = _stored_tags()
    assert sorted(stored) == inserted  # nothing lost or duplicated by the mixing
    assert stored != inserted
    assert stored[-5:] != inserted[-5:]


def test_the_sqlite_table_has_no_rowid(app):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":  # PostgreSQL has no rowid; the test above covers it
            sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name='trend_facts'")).scalar()
            assert "WITHOUT ROWID" in sql

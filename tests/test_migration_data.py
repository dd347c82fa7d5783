"""Upgrading keeps data. SQLite rebuilds tables in batch migrations; with foreign keys on, that
once deleted every entry through ON DELETE CASCADE when `users` was rebuilt."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from app import create_app
from domain.accounts import account as accounts
from domain.core.db import db
from domain.core.models import Entry
from domain.journal import entries as journal
from tests.conftest import PASSWORD, base_config


def test_upgrade_from_first_journal_schema_keeps_entries(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
        policy = app.extensions["fokus_kdf"]
        user, key, _ = accounts.create_account(policy, b"s" * 32, "old-user", "Old", PASSWORD)
        db.session.flush()
        journal.create(user, key, {"kind": "bright_moment", "what_happened": "kept", "status": "saved"})
        db.session.commit()
        downgrade(revision="0004")  # back to before the users table was rebuilt
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 1
        db.engine.dispose()


def test_upgrade_fixes_k_of_groups_that_already_have_contributions(tmp_path):
    """Migration 0018: a group whose lead may already have seen counts keeps its k; an empty one
    stays open to a change."""
    from sqlalchemy import text

    from tests.test_groups_http import seminar
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(base_config(url, tmp_path))
    with app.app_context():
        upgrade()
    s = seminar(app)
    with app.app_context():
        downgrade(revision="0017")
        db.session.execute(text("INSERT INTO seminar_groups (id, created_at, k, name_sealed) "
                                "VALUES ('e' || hex(randomblob(15)), CURRENT_TIMESTAMP, 5, x'00')"))
        db.session.commit()
        upgrade()
        fixed = dict(db.session.execute(text("SELECT id, k_fixed_at IS NOT NULL FROM seminar_groups")).all())
        assert fixed.pop(s["gid"]) == 1 and list(fixed.values()) == [0]
        db.engine.dispose()


def test_the_roll_up_backfill_classifies_facts_as_the_app_counts_them():
    """Migration 0009 filled trend_rollup from the facts with the query the tests recount with."""
    import importlib.util
    from pathlib import Path

    from domain.trends import rollup
    path = Path(__file__).resolve().parent.parent / "migrations" / "versions" / "0009_journal_index.py"
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    select_part = module.ROLLUP_BACKFILL.split("\n", 2)[2]        # after the INSERT INTO line
    assert " ".join(select_part.split()) == " ".join(rollup.FRESH_COUNT_SQL.split())

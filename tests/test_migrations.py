"""The Alembic migrations produce exactly the schema the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from domain.core.db import db


def schema_diff(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def test_migrations_match_the_models(app):
    diff = schema_diff(app)
    assert diff == [], "models and migrations differ; run `flask --app app db migrate`:\n" + \
        "\n".join(map(repr, diff))


def test_database_is_at_the_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        heads = script.get_heads()
        assert len(heads) == 1, f"several migration heads: {heads}"
        with db.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == heads[0]


def test_every_migration_can_be_undone_and_redone(app):
    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()
        db.engine.dispose()
    assert schema_diff(app) == []


def test_the_comparison_notices_a_column_without_a_migration(app):
    """Guard the guard: an empty diff above means something only if a real gap shows up."""
    from sqlalchemy import Column, Integer, MetaData
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["users"].append_column(Column("not_migrated", Integer))
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), changed)
    assert any("not_migrated" in repr(d) for d in diff)

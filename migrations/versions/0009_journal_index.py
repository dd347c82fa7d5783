"""sealed journal index; group trend roll-up

Revision ID: 0009
Revises: 0007
Create Date: 2026-11-30 15:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "journal_index",
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("page_no", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("first_created", sa.DateTime(), nullable=False),
        sa.Column("records", sa.LargeBinary(), nullable=False),
        sa.Column("search", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_journal_index_owner_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("owner_id", "page_no", name=op.f("pk_journal_index")),
    )
    # Existing accounts start with a stale index (-1 != 0): the first journal page builds it.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("journal_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("journal_indexed", sa.Integer(), nullable=False, server_default="-1"))


    op.create_table(
        "trend_rollup",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("tbl", sa.String(length=12), nullable=False),
        sa.Column("cell", sa.String(length=80), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["seminar_groups.id"], name=op.f("fk_trend_rollup_group_id_seminar_groups"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "month", "tbl", "cell", "pseudonym", name=op.f("pk_trend_rollup")),
    )
    op.create_table(
        "trend_cells",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("tbl", sa.String(length=12), nullable=False),
        sa.Column("cell", sa.String(length=80), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["seminar_groups.id"], name=op.f("fk_trend_cells_group_id_seminar_groups"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "month", "tbl", "cell", name=op.f("pk_trend_cells")),
    )
    op.create_table(
        "trend_presence",
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("tbl", sa.String(length=12), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["seminar_groups.id"],
                                name=op.f("fk_trend_presence_group_id_seminar_groups"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "month", "tbl", "pseudonym", name=op.f("pk_trend_presence")),
    )
    op.execute(ROLLUP_BACKFILL)
    op.execute(CELLS_BACKFILL)
    op.execute(PRESENCE_BACKFILL)


# The same classification as domain/trends/facts.classify (a support fact, then the first of outcome,
# band, theme, subtheme, kind) and rollup.FRESH_COUNT_SQL. Support facts came after this migration,
# so no database had any when it ran; the branch keeps the two queries the same.
ROLLUP_BACKFILL = """
INSERT INTO trend_rollup (group_id, month, tbl, cell, pseudonym, n)
SELECT group_id, month,
       CASE WHEN kind = 'support' THEN 'supports' WHEN outcome IS NOT NULL THEN 'outcomes' WHEN band IS NOT NULL THEN 'intensity'
            WHEN theme IS NOT NULL THEN 'themes' WHEN subtheme IS NOT NULL THEN 'subthemes'
            WHEN kind <> 'process' THEN 'kinds' ELSE '' END,
       COALESCE(outcome, band, theme, subtheme, kind), pseudonym, COUNT(*)
FROM trend_facts GROUP BY 1, 2, 3, 4, 5
"""
CELLS_BACKFILL = """
INSERT INTO trend_cells (group_id, month, tbl, cell, n, people)
SELECT group_id, month, tbl, cell, SUM(n), COUNT(*) FROM trend_rollup GROUP BY 1, 2, 3, 4
"""
PRESENCE_BACKFILL = """
INSERT INTO trend_presence (group_id, month, tbl, pseudonym, cells)
SELECT group_id, month, tbl, pseudonym, COUNT(*) FROM trend_rollup GROUP BY 1, 2, 3, 4
"""


def downgrade():
    op.drop_table("trend_presence")
    op.drop_table("trend_cells")
    op.drop_table("trend_rollup")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("journal_indexed")
        batch_op.drop_column("journal_version")
    op.drop_table("journal_index")

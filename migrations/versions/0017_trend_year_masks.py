"""group trends: per-year month masks of the roll-up (trend_cell_masks, trend_presence_masks)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def _year_key(table: str) -> list:
    return [
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tbl", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["seminar_groups.id"], name=op.f(f"fk_{table}_group_id_seminar_groups"),
                                ondelete="CASCADE"),
    ]


def upgrade():
    op.create_table(
        "trend_cell_masks",
        *_year_key("trend_cell_masks"),
        sa.Column("cell", sa.String(length=80), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "year", "tbl", "cell", "pseudonym", name=op.f("pk_trend_cell_masks")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "trend_presence_masks",
        *_year_key("trend_presence_masks"),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("group_id", "year", "tbl", "pseudonym", name=op.f("pk_trend_presence_masks")),
        sqlite_with_rowid=False,
    )
    op.execute(CELL_MASKS_BACKFILL)
    op.execute(PRESENCE_MASKS_BACKFILL)


# As domain/trends/rollup.FRESH_*_MASKS_SQL: each month of the roll-up sets its bit (bit 0 = January).
CELL_MASKS_BACKFILL = """
INSERT INTO trend_cell_masks (group_id, year, tbl, cell, pseudonym, months)
SELECT group_id, CAST(substr(month, 1, 4) AS INTEGER), tbl, cell, pseudonym,
       SUM(1 << (CAST(substr(month, 6, 2) AS INTEGER) - 1))
FROM trend_rollup WHERE n > 0 GROUP BY 1, 2, 3, 4, 5
"""
PRESENCE_MASKS_BACKFILL = """
INSERT INTO trend_presence_masks (group_id, year, tbl, pseudonym, months)
SELECT group_id, CAST(substr(month, 1, 4) AS INTEGER), tbl, pseudonym,
       SUM(1 << (CAST(substr(month, 6, 2) AS INTEGER) - 1))
FROM trend_presence WHERE cells > 0 GROUP BY 1, 2, 3, 4
"""


def downgrade():
    op.drop_table("trend_presence_masks")
    op.drop_table("trend_cell_masks")

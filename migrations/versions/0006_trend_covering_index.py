"""covering index for group trends

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 00:30:00

"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_INCLUDE = ["pseudonym", "kind", "theme", "subtheme", "band", "outcome"]


def upgrade():
    op.drop_index("ix_trend_facts_group_month", table_name="trend_facts")
    op.create_index("ix_trend_facts_group_month", "trend_facts", ["group_id", "month"],
                    postgresql_include=_INCLUDE)


def downgrade():
    op.drop_index("ix_trend_facts_group_month", table_name="trend_facts")
    op.create_index("ix_trend_facts_group_month", "trend_facts", ["group_id", "month"])

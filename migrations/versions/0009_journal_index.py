"""sealed journal index

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-30 15:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0006'
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


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("journal_indexed")
        batch_op.drop_column("journal_version")
    op.drop_table("journal_index")

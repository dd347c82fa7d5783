"""seminar groups: when k became fixed (the first member contributed)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 03:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('seminar_groups') as batch:
        batch.add_column(sa.Column('k_fixed_at', sa.DateTime(), nullable=True))
    # A group that has (or had) contributions keeps the k its lead has seen them at. Who consented
    # is sealed, and facts may already have been withdrawn, so any group with a member besides
    # its leads counts as having had them; an empty group stays open to a change.
    op.execute("UPDATE seminar_groups SET k_fixed_at = CURRENT_TIMESTAMP "
               "WHERE id IN (SELECT group_id FROM trend_presence) "
               "OR id IN (SELECT group_id FROM group_members WHERE role <> 'lead')")


def downgrade():
    with op.batch_alter_table('seminar_groups') as batch:
        batch.drop_column('k_fixed_at')

"""indexes for the journal's per-owner reads: what is due for deletion soon, what waits for a key rotation

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 03:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_entries_owner_expires', 'entries', ['owner_id', 'expires_on'])
    op.create_index('ix_processes_owner_expires', 'processes', ['owner_id', 'expires_on'])
    op.create_index('ix_entries_rotation_due', 'entries', ['owner_id'],
                    sqlite_where=sa.text('needs_rotation IS 1'), postgresql_where=sa.text('needs_rotation IS true'))


def downgrade():
    op.drop_index('ix_entries_rotation_due', table_name='entries')
    op.drop_index('ix_processes_owner_expires', table_name='processes')
    op.drop_index('ix_entries_owner_expires', table_name='entries')

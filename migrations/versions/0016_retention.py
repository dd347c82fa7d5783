"""retention: expires_on on entries and processes, the user's period, per-object marks

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 22:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('entries', 'processes'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
            batch.create_index(f'ix_{table}_expires_on', ['expires_on'], unique=False)
    op.create_table(
        'retention_choices',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('months', sa.SmallInteger(), nullable=False),
        sa.Column('backfilled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )
    op.create_table(
        'retention_marks',
        sa.Column('object_id', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.String(length=32), nullable=False),
        sa.Column('table', sa.String(length=16), nullable=False),
        sa.Column('ended_seen', sa.Date(), nullable=True),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('extended', sa.Boolean(), nullable=False),
        sa.Column('reason_sealed', sa.LargeBinary(), nullable=True),
        sa.Column('shredded_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('object_id'),
    )
    with op.batch_alter_table('retention_marks') as batch:
        batch.create_index('ix_retention_marks_owner_id', ['owner_id'], unique=False)


def downgrade():
    op.drop_table('retention_marks')
    op.drop_table('retention_choices')
    for table in ('entries', 'processes'):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f'ix_{table}_expires_on')
            batch.drop_column('expires_on')

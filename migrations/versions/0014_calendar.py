"""calendar feed and reminder plans (issue 16 item 4)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_feeds',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('owner_id', sa.String(length=32), nullable=False),
        sa.Column('token_hash', sa.LargeBinary(length=32), nullable=False),
        sa.Column('key_by_user', sa.LargeBinary(), nullable=False),
        sa.Column('events', sa.LargeBinary(), nullable=False),
        sa.Column('public_key', sa.LargeBinary(length=32), nullable=False),
        sa.Column('private_sealed', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_calendar_feeds_owner_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('owner_id', name=op.f('uq_calendar_feeds_owner_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    )
    op.create_table(
        'calendar_drops',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('feed_id', sa.String(length=32), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['feed_id'], ['calendar_feeds.id'], name=op.f('fk_calendar_drops_feed_id_calendar_feeds'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_drops')),
    )
    with op.batch_alter_table('calendar_drops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_drops_feed_id'), ['feed_id'], unique=False)
    op.create_table(
        'reminder_plans',
        sa.Column('owner_id', sa.String(length=32), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_reminder_plans_owner_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('owner_id', name=op.f('pk_reminder_plans')),
    )


def downgrade():
    op.drop_table('reminder_plans')
    with op.batch_alter_table('calendar_drops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_drops_feed_id'))
    op.drop_table('calendar_drops')
    op.drop_table('calendar_feeds')

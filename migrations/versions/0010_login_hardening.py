"""login hardening: second-factor step rows, failure counters, trusted devices; trend_facts
without rowid on SQLite

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-30 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_steps',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('sealed_key', sa.LargeBinary(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_steps_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_steps')))
    op.create_index(op.f('ix_login_steps_user_id'), 'login_steps', ['user_id'], unique=False)
    op.create_table(
        'auth_failures',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('scope', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_failures')))
    op.create_index('ix_auth_failures_scope_at', 'auth_failures', ['scope', 'at'], unique=False)
    op.create_table(
        'trusted_devices',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('account', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trusted_devices')))
    op.create_index(op.f('ix_trusted_devices_account'), 'trusted_devices', ['account'], unique=False)
    _trend_facts_rowid(False)


def _trend_facts_rowid(with_rowid: bool) -> None:
    """SQLite only: rebuild trend_facts so rows are stored in (random) primary-key order."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('trend_facts', recreate='always',
                              table_kwargs={'sqlite_with_rowid': with_rowid}):
        pass


def downgrade():
    _trend_facts_rowid(True)
    op.drop_index(op.f('ix_trusted_devices_account'), table_name='trusted_devices')
    op.drop_table('trusted_devices')
    op.drop_index('ix_auth_failures_scope_at', table_name='auth_failures')
    op.drop_table('auth_failures')
    op.drop_index(op.f('ix_login_steps_user_id'), table_name='login_steps')
    op.drop_table('login_steps')

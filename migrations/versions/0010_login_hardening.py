"""login hardening: second-factor step rows, failure counters, trusted devices; trend_facts
without rowid on SQLite; legacy backup codes re-hashed under argon2id

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
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
    _rehash_legacy_backup_codes()


def _rehash_legacy_backup_codes() -> None:
    """Backup codes were stored as HMAC(user id, code): 48 bits, cheap to brute-force from a copy.
    The codes themselves are unknown here, so each stored HMAC is hashed again under argon2id;
    checking a typed code computes the HMAC first (domain/accounts/twofactor.py, "legacy" sets). The
    settings page suggests making new codes."""
    import json
    import secrets

    from domain.core import keyring
    users = sa.table('users', sa.column('id', sa.String), sa.column('backup_codes', sa.String))
    bind = op.get_bind()
    m, t, p = keyring.OWASP_FLOOR
    for user_id, codes in bind.execute(sa.select(users.c.id, users.c.backup_codes)).all():
        if not codes or not codes.startswith('['):
            continue
        salt = secrets.token_bytes(16)
        stored = {'v': 2, 'salt': keyring.b64e(salt), 'm': m, 't': t, 'p': p, 'legacy': True,
                  'h': [keyring.slow_hash(h, salt, keyring.KdfParams(m, t, p))[:16].hex()
                        for h in json.loads(codes)]}
        bind.execute(users.update().where(users.c.id == user_id).values(backup_codes=json.dumps(stored)))


def _trend_facts_rowid(with_rowid: bool) -> None:
    """SQLite only: rebuild trend_facts so rows are stored in (random) primary-key order."""
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.batch_alter_table('trend_facts', recreate='always',
                              table_kwargs={'sqlite_with_rowid': with_rowid}):
        pass


def downgrade():
    # Re-hashed backup codes cannot be turned back into the old form: they are dropped.
    users = sa.table('users', sa.column('backup_codes', sa.String))
    op.get_bind().execute(users.update().where(users.c.backup_codes.like('{%')).values(backup_codes=None))
    _trend_facts_rowid(True)
    op.drop_index(op.f('ix_trusted_devices_account'), table_name='trusted_devices')
    op.drop_table('trusted_devices')
    op.drop_index('ix_auth_failures_scope_at', table_name='auth_failures')
    op.drop_table('auth_failures')
    op.drop_index(op.f('ix_login_steps_user_id'), table_name='login_steps')
    op.drop_table('login_steps')

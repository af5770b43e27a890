"""login sessions and longer join codes

One row per login, ended by logout (a copied cookie then stops working); join codes of 6
characters are replaced by 10-character ones (6 could be guessed).

Revision ID: 0009
Revises: 0008
"""
import secrets

from alembic import op
import sqlalchemy as sa

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    classrooms = sa.table('classrooms', sa.column('id', sa.Integer), sa.column('join_code', sa.String))
    conn = op.get_bind()
    for class_id, code in conn.execute(sa.select(classrooms.c.id, classrooms.c.join_code)).all():
        if len(code) < 10:
            new = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(10))
            conn.execute(classrooms.update().where(classrooms.c.id == class_id).values(join_code=new))


def downgrade():
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_login_sessions_expires_at'))
    op.drop_table('login_sessions')

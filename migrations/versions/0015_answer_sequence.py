"""answer sequence number per test item (a retried older answer never overwrites a newer one)

Revision ID: 0015
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt_items', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('answer_seq', sa.BigInteger(), nullable=True))


def downgrade():
    with op.batch_alter_table('quiz_attempt_items', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('answer_seq')

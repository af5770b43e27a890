"""archived classes and staff-only sheet notes

Classrooms can be archived (out of menus and dashboards, records kept); practical sheets carry a
note for teachers and assessors only.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('classrooms', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('archived', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('practicals', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('staff_note', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('practicals', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('staff_note')
    with op.batch_alter_table('classrooms', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('archived')

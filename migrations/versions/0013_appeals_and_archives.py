"""FR.AK.04 appeals and the class berkas archive jobs

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'appeals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('trainee_id', sa.Integer(), nullable=False),
        sa.Column('judgement_id', sa.Integer(), nullable=False),
        sa.Column('classroom_id', sa.Integer(), nullable=True),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=False),
        sa.Column('new_judgement_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'], name=op.f('fk_appeals_classroom_id_classrooms'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appeals_decided_by_id_users')),
        sa.ForeignKeyConstraint(['judgement_id'], ['judgements.id'], name=op.f('fk_appeals_judgement_id_judgements')),
        sa.ForeignKeyConstraint(['new_judgement_id'], ['judgements.id'],
                                name=op.f('fk_appeals_new_judgement_id_judgements')),
        sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_appeals_trainee_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
        sa.UniqueConstraint('judgement_id', name=op.f('uq_appeals_judgement_id')),
    )
    with op.batch_alter_table('appeals', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_classroom_id'), ['classroom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_trainee_id'), ['trainee_id'], unique=False)
    op.create_table(
        'berkas_archives',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('classroom_id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('storage_name', sa.String(length=120), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'],
                                name=op.f('fk_berkas_archives_classroom_id_classrooms'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_berkas_archives_requested_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_berkas_archives')),
    )
    with op.batch_alter_table('berkas_archives', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_berkas_archives_classroom_id'), ['classroom_id'], unique=False)


def downgrade():
    with op.batch_alter_table('berkas_archives', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_berkas_archives_classroom_id'))
    op.drop_table('berkas_archives')
    with op.batch_alter_table('appeals', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_trainee_id'))
        batch_op.drop_index(batch_op.f('ix_appeals_state'))
        batch_op.drop_index(batch_op.f('ix_appeals_classroom_id'))
    op.drop_table('appeals')

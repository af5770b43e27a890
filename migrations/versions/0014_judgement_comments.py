"""time-stamped comments on a judgement (judgement_comments); old per-point time stamps copied in

Revision ID: 0014
Revises: 0013

Each mark that carried a time in the video (judgement_marks.video_seconds) becomes one comment at
that time, tied to its point, with the mark's comment as its text and the judgement's assessor as
author. judgement_marks.video_seconds stays (final judgements are never rewritten) but is no
longer written or read by the application; see docs/assessments.md.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'judgement_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('judgement_id', sa.Integer(), nullable=False),
        sa.Column('seconds', sa.Integer(), nullable=False),
        sa.Column('point_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['judgement_id'], ['judgements.id'],
                                name=op.f('fk_judgement_comments_judgement_id_judgements'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['point_id'], ['checklist_points.id'],
                                name=op.f('fk_judgement_comments_point_id_checklist_points')),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_judgement_comments_author_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_judgement_comments')),
    )
    with op.batch_alter_table('judgement_comments', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_judgement_comments_judgement_id'), ['judgement_id'], unique=False)
    op.execute(sa.text(
        "INSERT INTO judgement_comments (judgement_id, seconds, point_id, text, author_id, created_at) "
        "SELECT m.judgement_id, m.video_seconds, m.point_id, m.comment, j.assessor_id, j.updated_at "
        "FROM judgement_marks m JOIN judgements j ON j.id = m.judgement_id "
        "WHERE m.video_seconds IS NOT NULL ORDER BY m.judgement_id, m.video_seconds, m.id"))


def downgrade():
    with op.batch_alter_table('judgement_comments', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_judgement_comments_judgement_id'))
    op.drop_table('judgement_comments')

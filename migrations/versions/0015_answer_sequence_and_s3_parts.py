"""answer sequence per test item; S3 multipart state of tus uploads (issue 18)

quiz_attempt_items.answer_seq: a retried older answer never overwrites a newer one.
media_uploads.s3_upload_id/s3_parts: with S3 storage a partial upload lives in a multipart upload,
so any app host can take the next PATCH.

Revision ID: 0015
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt_items', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('answer_seq', sa.BigInteger(), nullable=True))
    with op.batch_alter_table('media_uploads', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('s3_upload_id', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('s3_parts', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('media_uploads', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('s3_parts')
        batch_op.drop_column('s3_upload_id')
    with op.batch_alter_table('quiz_attempt_items', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('answer_seq')

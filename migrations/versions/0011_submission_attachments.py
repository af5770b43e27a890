"""written products (photo or PDF) attached to a submission version

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'practical_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('uploader_id', sa.Integer(), nullable=False),
        sa.Column('storage_key', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('original_filename', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_practical_attachments_uploader_id_users')),
        sa.ForeignKeyConstraint(['version_id'], ['practical_submission_versions.id'],
                                name=op.f('fk_practical_attachments_version_id_practical_submission_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_practical_attachments')),
        sa.UniqueConstraint('storage_key', name=op.f('uq_practical_attachments_storage_key')),
    )
    with op.batch_alter_table('practical_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practical_attachments_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('practical_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practical_attachments_version_id'))
    op.drop_table('practical_attachments')

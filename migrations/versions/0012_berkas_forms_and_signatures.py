"""berkas asesmen: filled forms, signatures, partner consent, class form settings and assessors

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assessment_forms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('trainee_id', sa.Integer(), nullable=False),
        sa.Column('classroom_id', sa.Integer(), nullable=True),
        sa.Column('subject_key', sa.String(length=40), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('locked_at', sa.DateTime(), nullable=True),
        sa.Column('trainee_name', sa.String(length=120), nullable=True),
        sa.Column('fingerprint', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['trainee_id'], ['users.id'], name=op.f('fk_assessment_forms_trainee_id_users')),
        sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'],
                                name=op.f('fk_assessment_forms_classroom_id_classrooms')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_forms')),
        sa.UniqueConstraint('kind', 'trainee_id', 'subject_key',
                            name=op.f('uq_assessment_forms_kind')),
    )
    with op.batch_alter_table('assessment_forms', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_forms_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_forms_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_forms_classroom_id'), ['classroom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessment_forms_fingerprint'), ['fingerprint'], unique=False)

    op.create_table(
        'form_signatures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('form_id', sa.Integer(), nullable=False),
        sa.Column('signer_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('typed_name', sa.String(length=120), nullable=False),
        sa.Column('drawing', sa.LargeBinary(), nullable=False),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['form_id'], ['assessment_forms.id'], ondelete='CASCADE',
                                name=op.f('fk_form_signatures_form_id_assessment_forms')),
        sa.ForeignKeyConstraint(['signer_id'], ['users.id'], name=op.f('fk_form_signatures_signer_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_form_signatures')),
        sa.UniqueConstraint('form_id', 'role', name=op.f('uq_form_signatures_form_id')),
    )
    with op.batch_alter_table('form_signatures', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_form_signatures_form_id'), ['form_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_form_signatures_signer_id'), ['signer_id'], unique=False)

    op.create_table(
        'partner_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('decision', sa.String(length=8), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['version_id'], ['practical_submission_versions.id'],
                                name=op.f('fk_partner_consents_version_id_practical_submission_versions')),
        sa.ForeignKeyConstraint(['partner_id'], ['users.id'], name=op.f('fk_partner_consents_partner_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_consents')),
        sa.UniqueConstraint('version_id', 'partner_id', name=op.f('uq_partner_consents_version_id')),
    )
    with op.batch_alter_table('partner_consents', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_consents_version_id'), ['version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partner_consents_partner_id'), ['partner_id'], unique=False)

    op.create_table(
        'class_form_settings',
        sa.Column('classroom_id', sa.Integer(), nullable=False),
        sa.Column('apl02_required', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'], ondelete='CASCADE',
                                name=op.f('fk_class_form_settings_classroom_id_classrooms')),
        sa.PrimaryKeyConstraint('classroom_id', name=op.f('pk_class_form_settings')),
    )

    op.create_table(
        'class_assessors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('classroom_id', sa.Integer(), nullable=False),
        sa.Column('assessor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['classroom_id'], ['classrooms.id'], ondelete='CASCADE',
                                name=op.f('fk_class_assessors_classroom_id_classrooms')),
        sa.ForeignKeyConstraint(['assessor_id'], ['users.id'], ondelete='CASCADE',
                                name=op.f('fk_class_assessors_assessor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_class_assessors')),
        sa.UniqueConstraint('classroom_id', 'assessor_id', name=op.f('uq_class_assessors_classroom_id')),
    )
    with op.batch_alter_table('class_assessors', schema=None, recreate='never') as batch_op:
        batch_op.create_index(batch_op.f('ix_class_assessors_classroom_id'), ['classroom_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_class_assessors_assessor_id'), ['assessor_id'], unique=False)


def downgrade():
    op.drop_table('class_assessors')
    op.drop_table('class_form_settings')
    op.drop_table('partner_consents')
    op.drop_table('form_signatures')
    op.drop_table('assessment_forms')
